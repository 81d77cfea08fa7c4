# Planar data classifier, Andrew Ng style: examples are columns.
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def initialize_parameters(n_x, n_h, n_y, seed=2):
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((n_h, n_x)) / np.sqrt(n_x)
    b1 = np.zeros((n_h, 1))
    W2 = rng.standard_normal((n_y, n_h)) / np.sqrt(n_h)
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = sigmoid(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = sigmoid(Z2)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    m = Y.shape[1]
    logprobs = Y * np.log(A2) + (1 - Y) * np.log(1 - A2)
    return float(-np.sum(logprobs) / m)


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    W2 = parameters["W2"]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T
    db2 = np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = (W2.T @ dZ2) * A1 * (1 - A1)
    dW1 = dZ1 @ X.T
    db1 = np.sum(dZ1, axis=1, keepdims=True)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


# --- glue for backpropdoctor ---
rng = np.random.default_rng(7)
X = rng.standard_normal((3, 9))
Y = (rng.random((1, 9)) > 0.5).astype(float)
y = Y
params = initialize_parameters(3, 4, 1)


def loss(params, X, y):
    return compute_cost(forward_propagation(X, params)["A2"], y)


def grads(params, X, y):
    return backward_propagation(params, forward_propagation(X, params), X, y)
