import numpy as np

# XOR-like problem, examples as columns, tanh hidden layer, linear output
rng = np.random.default_rng(1234)
n_in, n_h, n_out, m = 2, 4, 1, 12
X = rng.uniform(-1, 1, size=(n_in, m))
X = (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
y = (X[0:1] * X[1:2] > 0).astype(float)

params = dict(
    W1=rng.normal(0, 1 / np.sqrt(n_in), (n_h, n_in)),
    b1=np.zeros((n_h, 1)),
    W2=rng.normal(0, 1 / np.sqrt(n_h), (n_out, n_h)),
    b2=np.zeros((n_out, 1)),
)


def loss_and_grads(params, X, y):
    m = X.shape[1]
    Z1 = params["W1"] @ X + params["b1"]
    A1 = np.tanh(Z1)
    A2 = params["W2"] @ A1 + params["b2"]      # linear output, regression on 0/1
    diff = A2 - y
    L = 0.5 * np.sum(diff ** 2) / m
    dA2 = diff / m
    dW2 = dA2 @ A1.T
    db2 = dA2.sum(axis=1, keepdims=True)
    dZ1 = (params["W2"].T @ dA2) * (1 - A1 ** 2)
    dW1 = dZ1 @ X.T
    db1 = dZ1.sum(axis=1, keepdims=True)
    return L, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def update(params, grads, lr):
    for key in ("W1", "b1", "W2", "b2"):
        params[key] += lr * grads[key]


if __name__ == "__main__":
    for it in range(1000):
        L, g = loss_and_grads(params, X, y)
        update(params, g, 0.2)
        if it % 100 == 0:
            print(it, L)
