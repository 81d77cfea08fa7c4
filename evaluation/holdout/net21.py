import numpy as np

LAMBDA = 0.05   # L2 strength on the weights
rng = np.random.default_rng(2121)
X = rng.normal(size=(8, 3))
y = np.column_stack([X[:, 0] - X[:, 2], X[:, 1] * 0.5])

params = {
    "W1": rng.normal(size=(3, 5)) / np.sqrt(3),
    "b1": np.zeros(5),
    "W2": rng.normal(size=(5, 2)) / np.sqrt(5),
    "b2": np.zeros(2),
}


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def loss(params, X, y):
    total = 0.0
    for xi, yi in zip(X, y):
        h = sigmoid(xi @ params["W1"] + params["b1"])
        out = h @ params["W2"] + params["b2"]
        total += 0.5 * np.sum((out - yi) ** 2)
    penalty = 0.5 * LAMBDA * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    return total / len(X) + penalty


def grads(params, X, y):
    dW1 = np.zeros_like(params["W1"])
    db1 = np.zeros_like(params["b1"])
    dW2 = np.zeros_like(params["W2"])
    db2 = np.zeros_like(params["b2"])
    for xi, yi in zip(X, y):
        h = sigmoid(xi @ params["W1"] + params["b1"])
        out = h @ params["W2"] + params["b2"]
        d_out = out - yi
        dW2 += np.outer(h, d_out)
        db2 = d_out
        d_h = (params["W2"] @ d_out) * h * (1 - h)
        dW1 += np.outer(xi, d_h)
        db1 += d_h
    n = len(X)
    return {
        "W1": dW1 / n,
        "b1": db1 / n,
        "W2": dW2 / n + LAMBDA * params["W2"],
        "b2": db2 / n,
    }
