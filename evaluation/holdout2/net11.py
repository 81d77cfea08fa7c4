import numpy as np

LAMBDA = 0.1


def batch():
    rng = np.random.default_rng(1111)
    X = rng.normal(size=(3, 12))                       # features x samples
    Y = (X[0:1] + 0.5 * X[1:2] ** 2 > 0.3).astype(float)  # (1, samples)
    return X, Y


def init_params(seed=7):
    g = np.random.default_rng(seed)
    return {
        "W1": g.normal(size=(5, 3)) * np.sqrt(1 / 3),
        "b1": np.zeros((5, 1)),
        "W2": g.normal(size=(1, 5)) * np.sqrt(1 / 5),
        "b2": np.zeros((1, 1)),
    }


def loss_and_grads(params, X, Y):
    m = X.shape[1]
    Z1 = params["W1"] @ X + params["b1"]
    A1 = np.tanh(Z1)
    Z2 = params["W2"] @ A1 + params["b2"]
    A2 = 1 / (1 + np.exp(-Z2))
    cost = -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    cost += LAMBDA / (2 * m) * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))

    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m + LAMBDA / m * params["W2"]
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (params["W2"].T @ dZ2) * (1 - A1 ** 2)
    dW1 = dZ1 @ X.T / m + LAMBDA / m * params["W1"]
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return cost, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


if __name__ == "__main__":
    params = init_params()
    X, Y = batch()
    for i in range(1000):
        cost, g = loss_and_grads(params, X, Y)
        for k in params:
            params[k] -= 1.0 * g[k]
    print(cost)
