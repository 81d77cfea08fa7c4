import numpy as np

# Deep Learning book notation: a = c + U x, h = tanh(a), o = d + V h, p = softmax(o)
rng = np.random.default_rng(222)
D_IN, D_HID, N_CLS = 4, 5, 3
params = {
    "U": rng.normal(size=(D_HID, D_IN)) / np.sqrt(D_IN),     # input -> hidden
    "c": np.zeros(D_HID),
    "V": rng.normal(size=(N_CLS, D_HID)) / np.sqrt(D_HID),   # hidden -> output
    "d": np.zeros(N_CLS),
}
X = rng.normal(size=(10, D_IN))
y = rng.integers(0, N_CLS, size=10)


def forward_sample(params, x):
    a = params["U"] @ x + params["c"]
    h = np.tanh(a)
    o = params["V"] @ h + params["d"]
    o = o - o.max()
    p = np.exp(o) / np.exp(o).sum()
    return h, p


def loss(params, X, y):
    nll = [-np.log(forward_sample(params, x)[1][t]) for x, t in zip(X, y)]
    return float(np.mean(nll))


def grads(params, X, y):
    gU, gc = np.zeros_like(params["U"]), np.zeros_like(params["c"])
    gV, gd = np.zeros_like(params["V"]), np.zeros_like(params["d"])
    for x, t in zip(X, y):
        h, p = forward_sample(params, x)
        e = np.zeros_like(p)
        e[t] = 1.0
        g_o = p - e
        gV += np.outer(g_o, h)
        gd += g_o
        g_a = (params["V"].T @ g_o) * (1 - h ** 2)
        gU += np.outer(g_a, x)
        gc += g_a
    return {"U": gU, "c": gc, "V": gV, "d": gd}


if __name__ == "__main__":
    for epoch in range(100):
        g = grads(params, X, y)
        for k in params:
            params[k] -= 0.1 * g[k]
        print(epoch, loss(params, X, y))
