import numpy as np


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def sigmoid_grad(v):
    s = sigmoid(v)
    return s * (1.0 - s)


rg = np.random.default_rng(66)
D, H1, H2, K, N = 4, 6, 5, 2, 8
X = rg.standard_normal((D, N))             # one sample per column
Y = np.vstack([np.tanh(X[0] + X[1]), X[2] * 0.5])

theta = {
    "V1": rg.standard_normal((H1, D)) / np.sqrt(D), "u1": np.zeros((H1, 1)),
    "V2": rg.standard_normal((H2, H1)) / np.sqrt(H1), "u2": np.zeros((H2, 1)),
    "V3": rg.standard_normal((K, H2)) / np.sqrt(H2), "u3": np.zeros((K, 1)),
}
params = theta
y = Y


def loss(theta, X, Y):
    tot = 0.0
    for j in range(X.shape[1]):
        x = X[:, j:j + 1]
        h1 = sigmoid(theta["V1"] @ x + theta["u1"])
        h2 = sigmoid(theta["V2"] @ h1 + theta["u2"])
        out = theta["V3"] @ h2 + theta["u3"]
        tot += 0.5 * np.sum((out - Y[:, j:j + 1]) ** 2)
    return tot / X.shape[1]


def grads(theta, X, Y):
    acc = {k: np.zeros_like(v) for k, v in theta.items()}
    n = X.shape[1]
    for j in range(n):
        x, t = X[:, j:j + 1], Y[:, j:j + 1]
        q1 = theta["V1"] @ x + theta["u1"]
        h1 = sigmoid(q1)
        q2 = theta["V2"] @ h1 + theta["u2"]
        h2 = sigmoid(q2)
        out = theta["V3"] @ h2 + theta["u3"]
        d3 = (out - t) / n
        acc["V3"] += d3 @ h2.T
        acc["u3"] += d3
        d2 = (theta["V3"].T @ d3) * sigmoid_grad(h2)
        acc["V2"] += d2 @ h1.T
        acc["u2"] += d2
        d1 = (theta["V2"].T @ d2) * sigmoid_grad(q1)
        acc["V1"] += d1 @ x.T
        acc["u1"] += d1
    return acc
