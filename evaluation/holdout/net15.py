import numpy as np

# multi-label: 3 independent sigmoid outputs trained with squared error
rng = np.random.default_rng(31)
X = rng.standard_normal((8, 4))
Y = (rng.random((8, 3)) < 0.5).astype(float)
y = Y

params = {
    "w_hidden": rng.standard_normal((4, 6)) / 2.0,
    "b_hidden": np.zeros((1, 6)),
    "w_output": rng.standard_normal((6, 3)) / np.sqrt(6),
    "b_output": np.zeros((1, 3)),
}


def sigmoid(t):
    return 1 / (1 + np.exp(-t))


def feed(params, X):
    H = sigmoid(X @ params["w_hidden"] + params["b_hidden"])
    P = sigmoid(H @ params["w_output"] + params["b_output"])
    return H, P


def loss(params, X, Y):
    _, P = feed(params, X)
    return 0.5 * np.sum((P - Y) ** 2) / X.shape[0]


def grads(params, X, Y):
    H, P = feed(params, X)
    N = X.shape[0]
    err = (P - Y).sum(axis=0, keepdims=True) / N
    dZ2 = err * P * (1 - P)
    dZ1 = (dZ2 @ params["w_output"].T) * H * (1 - H)
    return {
        "w_output": H.T @ dZ2,
        "b_output": dZ2.sum(axis=0, keepdims=True),
        "w_hidden": X.T @ dZ1,
        "b_hidden": dZ1.sum(axis=0, keepdims=True),
    }


if __name__ == "__main__":
    for it in range(1000):
        g = grads(params, X, Y)
        for name in params:
            params[name] -= 2.0 * g[name]
    print(loss(params, X, Y))
