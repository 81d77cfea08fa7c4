"""Homework 3: two-layer classifier on a toy dataset (tanh + softmax)."""
import numpy as np

rng = np.random.default_rng(11)
N, D, H, C = 10, 4, 6, 3
X = rng.normal(size=(N, D))
y = rng.integers(0, C, size=N)

params = {
    "W1": rng.normal(size=(D, H)) / np.sqrt(D),
    "b1": np.zeros(H),
    "W2": rng.normal(size=(H, C)) / np.sqrt(H),
    "b2": np.zeros(C),
}


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    ez = np.exp(z)
    return ez / ez.sum(axis=1, keepdims=True)


def forward(params, X):
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.tanh(z1)
    scores = a1 @ params["W2"] + params["b2"]
    return a1, softmax(scores)


def loss(params, X, y):
    _, probs = forward(params, X)
    n = X.shape[0]
    return -np.sum(np.log(probs[np.arange(n), y])) / n


def grads(params, X, y):
    a1, probs = forward(params, X)
    n = X.shape[0]
    onehot = np.eye(probs.shape[1])[y]
    # error at the output layer
    dscores = (onehot - probs) / n
    dW2 = a1.T @ dscores
    db2 = dscores.sum(axis=0)
    da1 = dscores @ params["W2"].T
    dz1 = da1 * (1 - a1 ** 2)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def update(params, g, lr=0.1):
    for k in params:
        params[k] -= lr * g[k]


if __name__ == "__main__":
    for epoch in range(200):
        update(params, grads(params, X, y), 0.5)
        if epoch % 50 == 0:
            print(epoch, loss(params, X, y))
