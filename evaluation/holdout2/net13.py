import numpy as np

rng = np.random.default_rng(1313)
n_x, n_h, n_y, m = 4, 6, 3, 10
X = rng.normal(size=(n_x, m))            # one column per example
labels = rng.integers(0, n_y, size=m)
Y = np.zeros((n_y, m))
Y[labels, np.arange(m)] = 1.0

params = {
    "Wxh": rng.normal(size=(n_h, n_x)) * np.sqrt(1.0 / n_x) * 2,
    "bh": rng.normal(size=(n_h, 1)) * 0.5,
    "Why": rng.normal(size=(n_y, n_h)) * np.sqrt(1.0 / n_h) * 2,
    "by": np.zeros((n_y, 1)),
}


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward(params, X):
    Z1 = params["Wxh"] @ X + params["bh"]
    A1 = sigmoid(Z1)
    Z2 = params["Why"] @ A1 + params["by"]
    E = np.exp(Z2 - Z2.max(axis=0, keepdims=True))
    P = E / E.sum(axis=0, keepdims=True)
    return Z1, A1, P


def cost(params, X, Y):
    _, _, P = forward(params, X)
    return -np.sum(Y * np.log(P)) / X.shape[1]


def backward(params, X, Y):
    m = X.shape[1]
    Z1, A1, P = forward(params, X)
    dZ2 = (P - Y) / m
    dWhy = dZ2 @ A1.T
    dby = dZ2.sum(axis=1, keepdims=True)
    dA1 = params["Why"].T @ dZ2
    dbh = dA1.sum(axis=1, keepdims=True)
    dZ1 = dA1 * A1 * (1 - A1)
    dWxh = dZ1 @ X.T
    return {"Wxh": dWxh, "bh": dbh, "Why": dWhy, "by": dby}


y = Y
loss = cost
grads = backward
