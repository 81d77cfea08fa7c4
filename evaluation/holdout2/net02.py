import numpy as np


def initialize_parameters_deep(layer_dims, seed=2):
    rng = np.random.default_rng(seed)
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters["W" + str(l)] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) / np.sqrt(layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        Z = parameters["W" + str(l)] @ A_prev + parameters["b" + str(l)]
        A = np.tanh(Z)
        caches.append((A_prev, Z, A))
    Z = parameters["W" + str(L)] @ A + parameters["b" + str(L)]
    AL = sigmoid(Z)
    caches.append((A, Z, AL))
    return AL, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
    return float(np.squeeze(cost))


def L_model_backward(AL, Y, caches, parameters):
    grads = {}
    L = len(caches)
    m = AL.shape[1]
    dZ = AL - Y
    A_prev, Z, A = caches[L - 1]
    grads["dW" + str(L)] = dZ @ A_prev.T / m
    grads["db" + str(L)] = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = parameters["W" + str(L)].T @ dZ
    for l in reversed(range(1, L)):
        A_prev, Z, A = caches[l - 1]
        dZ = dA_prev * (1 - np.tanh(A) ** 2)
        grads["dW" + str(l)] = dZ @ A_prev.T / m
        grads["db" + str(l)] = np.sum(dZ, axis=1, keepdims=True) / m
        dA_prev = parameters["W" + str(l)].T @ dZ
    return grads


layers_dims = [5, 6, 4, 1]
rng = np.random.default_rng(202)
X = rng.standard_normal((5, 10))                      # features x examples
y = (X[0:1, :] * X[1:2, :] + X[2:3, :] > 0).astype(float)
params = initialize_parameters_deep(layers_dims)


def loss(params, X, y):
    AL, _ = L_model_forward(X, params)
    return compute_cost(AL, y)


def grads(params, X, y):
    AL, caches = L_model_forward(X, params)
    g = L_model_backward(AL, y, caches, params)
    return {k: g["d" + k] for k in params}
