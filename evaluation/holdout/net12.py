"""Tiny two-class network: logistic hidden layer, logistic outputs, squared error.

Targets are one-hot rows; the cost is J = 1/(2n) * sum ||a2 - y||^2.
"""
import numpy as np

rng = np.random.default_rng(404)
X = rng.normal(size=(9, 3))
targets = np.eye(2)[(X[:, 0] > X[:, 1]).astype(int)]
y = targets

params = {
    "theta1": rng.normal(scale=1 / np.sqrt(3), size=(3, 4)),
    "bias1": np.zeros(4),
    "theta2": rng.normal(scale=1 / np.sqrt(4), size=(4, 2)),
    "bias2": np.zeros(2),
}

logistic = lambda z: 1 / (1 + np.exp(-z))


def loss_and_grads(params, X, y):
    # forward
    a1 = logistic(X @ params["theta1"] + params["bias1"])
    a2 = logistic(a1 @ params["theta2"] + params["bias2"])
    n = X.shape[0]
    J = np.sum((a2 - y) ** 2) / (2 * n)
    # backward
    delta2 = (a2 - y) * a2 * (1 - a2) / n
    delta1 = (delta2 @ params["theta2"].T) * a1 * (1 - a1)
    grads = {
        "theta1": X.T @ delta1,
        "bias1": delta1.sum(axis=0),
        "theta2": a1.T @ delta2,
        "bias2": delta2.sum(axis=0),
    }
    return J, grads


if __name__ == "__main__":
    alpha = 2.0
    for epoch in range(500):
        J, g = loss_and_grads(params, X, y)
        for k in params:
            params[k] -= alpha * g[k]
        if epoch % 100 == 0:
            print(f"epoch {epoch}: J = {J:.4f}")
