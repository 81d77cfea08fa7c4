import numpy as np


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def softmax(Z):
    # column-wise: one column per example
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


rng = np.random.default_rng(23)
n_x, n_h, n_y, m = 5, 4, 3, 7
X = rng.standard_normal((n_x, m))
labels = rng.integers(0, n_y, m)
y = np.eye(n_y)[:, labels]           # one-hot, one column per example

params = {
    "W1": rng.standard_normal((n_h, n_x)) * np.sqrt(1 / n_x),
    "b1": np.zeros((n_h, 1)),
    "W2": rng.standard_normal((n_y, n_h)) * np.sqrt(1 / n_h),
    "b2": np.zeros((n_y, 1)),
}


def forward(params, X):
    Z1 = params["W1"] @ X + params["b1"]
    A1 = sigmoid(Z1)
    A2 = softmax(params["W2"] @ A1 + params["b2"])
    return A1, A2


def loss(params, X, y):
    _, A2 = forward(params, X)
    return -np.sum(y * np.log(A2)) / X.shape[1]


def grads(params, X, y):
    A1, A2 = forward(params, X)
    m = X.shape[1]
    dZ2 = (A2 - y) / m
    dW2 = dZ2 @ A1.T
    db2 = np.sum(dZ2, axis=1, keepdims=True)
    dA1 = params["W2"].T @ dZ2
    dZ1 = dA1
    dW1 = dZ1 @ X.T
    db1 = np.sum(dZ1, axis=1, keepdims=True)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def update_parameters(params, grads, learning_rate=1.0):
    for key in params:
        params[key] = params[key] - learning_rate * grads[key]
    return params
