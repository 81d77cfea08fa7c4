import numpy as np

rs = np.random.default_rng(55)
X = rs.standard_normal((11, 3))
y = (X[:, 0] * X[:, 1] > 0).astype(float)

params = {
    "Wh": rs.standard_normal((3, 5)) / np.sqrt(3),
    "bh": np.zeros(5),
    "wo": rs.standard_normal(5) / np.sqrt(5),
    "bo": np.zeros(1),
}


def loss_and_grads(params, X, y):
    Wh, bh, wo, bo = params["Wh"], params["bh"], params["wo"], params["bo"]
    n = X.shape[0]
    Hh = np.tanh(X @ Wh + bh)
    logit = Hh @ wo + bo[0]
    p = 1.0 / (1.0 + np.exp(-logit))
    L = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    dlogit = (p - y)
    g_wo = Hh.T @ dlogit
    g_bo = np.array([dlogit.sum()])
    dH = np.outer(dlogit, wo) * (1 - Hh ** 2)
    g_Wh = X.T @ dH
    g_bh = dH.sum(axis=0)
    return L, {"Wh": g_Wh, "bh": g_bh, "wo": g_wo, "bo": g_bo}


def update(params, g, lr):
    for k in params:
        params[k] -= lr * g[k]
