import numpy as np

rng = np.random.default_rng(909)
X = rng.normal(size=(13, 3))
y = (X[:, 0] * X[:, 1] > 0).astype(float)

ALPHA = 0.01
U = rng.normal(size=(3, 5)) * np.sqrt(2 / 3)
c = np.zeros(5)
V = rng.normal(size=5) * np.sqrt(1 / 5)
d = np.zeros(1)
params = {"U": U, "c": c, "V": V, "d": d}


def leaky(z):
    return np.where(z > 0, z, ALPHA * z)


def forward(params, X):
    z = X @ params["U"] + params["c"]
    h = leaky(z)
    s = h @ params["V"] + params["d"][0]
    return z, h, s


def loss(params, X, y):
    _, _, s = forward(params, X)
    # binary cross-entropy of sigmoid(s), written stably
    return np.mean(np.logaddexp(0.0, s) - y * s)


def grads(params, X, y):
    z, h, s = forward(params, X)
    p = 1 / (1 + np.exp(-s))
    n = len(y)
    ds = (y - p) / n
    dV = h.T @ ds
    dd = np.array([ds.sum()])
    dh = np.outer(ds, params["V"])
    dz = dh * np.where(z > 0, 1.0, ALPHA)
    return {"U": X.T @ dz, "c": dz.sum(axis=0), "V": dV, "d": dd}


if __name__ == "__main__":
    for epoch in range(500):
        g = grads(params, X, y)
        for k in params:
            params[k] += 0.5 * g[k]
    print(loss(params, X, y))
