import numpy as np

# Deep L-layer network (course style): [LINEAR->RELU] x 2 -> LINEAR->SIGMOID
layer_dims = [4, 6, 5, 1]


def initialize_parameters_deep(layer_dims, seed=3):
    rng = np.random.default_rng(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) / np.sqrt(layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L + 1):
        Z = parameters["W" + str(l)] @ A + parameters["b" + str(l)]
        caches.append((A, Z))
        A = 1 / (1 + np.exp(-Z)) if l == L else np.maximum(0, Z)
    return A, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    return float(-(Y @ np.log(AL).T + (1 - Y) @ np.log(1 - AL).T).item() / m)


def L_model_backward(AL, Y, caches, parameters):
    grads = {}
    L = len(caches)
    m = Y.shape[1]
    dZ = (AL - Y) / m                      # sigmoid + cross-entropy
    dA = None
    for l in reversed(range(1, L + 1)):
        A_prev, Z = caches[l - 1]
        if l < L:
            dZ = dA * (Z > 0)              # relu backward
        grads["W" + str(l)] = dZ @ A_prev.T
        grads["b" + str(l)] = np.sum(dZ, axis=1, keepdims=True)
        dA = parameters["W" + str(l)].T @ dZ
    return grads


rng = np.random.default_rng(30)
X = rng.standard_normal((4, 10))
y = (rng.random((1, 10)) > 0.4).astype(float)
params = initialize_parameters_deep(layer_dims)


def loss(params, X, y):
    return compute_cost(L_model_forward(X, params)[0], y)


def grads(params, X, y):
    AL, caches = L_model_forward(X, params)
    return L_model_backward(AL, y, caches, params)
