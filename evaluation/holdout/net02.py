import numpy as np

# regression: target = standardised sum of squares, samples as columns
gen = np.random.default_rng(19)
X = gen.normal(size=(3, 8))
y = np.sum(X ** 2, axis=0, keepdims=True)
y = (y - y.mean()) / y.std()

hidden = 5
params = {
    "W_ih": gen.normal(size=(hidden, 3)) / np.sqrt(3),
    "b_h": np.zeros((hidden, 1)),
    "W_ho": gen.normal(size=(1, hidden)) / np.sqrt(hidden),
    "b_o": np.zeros((1, 1)),
}


def forward(params, X):
    z = params["W_ih"] @ X + params["b_h"]
    a = np.tanh(z)
    out = params["W_ho"] @ a + params["b_o"]
    return z, a, out


def loss(params, X, y):
    _, _, out = forward(params, X)
    return np.mean((out - y) ** 2)


def grads(params, X, y):
    z, a, out = forward(params, X)
    m = X.shape[1]
    e = 2 * (y - out) / m
    g_W_ho = e @ a.T
    g_b_o = e.sum(axis=1, keepdims=True)
    back = (params["W_ho"].T @ e) * (1 - np.tanh(z) ** 2)
    g_W_ih = back @ X.T
    g_b_h = back.sum(axis=1, keepdims=True)
    return {"W_ih": g_W_ih, "b_h": g_b_h, "W_ho": g_W_ho, "b_o": g_b_o}


def update(params, grads, lr):
    for k, v in grads.items():
        params[k] += lr * v


if __name__ == "__main__":
    for epoch in range(500):
        update(params, grads(params, X, y), 0.05)
    print(loss(params, X, y))
