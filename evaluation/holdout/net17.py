import numpy as np

# ex4-style network: the bias is folded into Theta as column 0.
rng = np.random.default_rng(21)
m, n_in, n_hid, K = 8, 3, 5, 4
X = rng.normal(size=(m, n_in))
y = rng.integers(0, K, size=m)


def rand_init(L_out, L_in):
    return rng.normal(size=(L_out, 1 + L_in)) / np.sqrt(L_in + 1)


params = {"Theta1": rand_init(n_hid, n_in), "Theta2": rand_init(K, n_hid)}


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def add_ones(A):
    return np.hstack([np.ones((A.shape[0], 1)), A])


def feedforward(params, X):
    a1 = add_ones(X)
    z2 = a1 @ params["Theta1"].T
    a2 = add_ones(sigmoid(z2))
    z3 = a2 @ params["Theta2"].T
    z3 = z3 - z3.max(axis=1, keepdims=True)
    h = np.exp(z3) / np.exp(z3).sum(axis=1, keepdims=True)
    return a1, z2, a2, h


def loss(params, X, y):
    *_, h = feedforward(params, X)
    Y = np.eye(K)[y]
    return -np.sum(Y * np.log(h)) / len(X)


def grads(params, X, y):
    a1, z2, a2, h = feedforward(params, X)
    Y = np.eye(K)[y]
    d3 = (h - Y) / len(X)
    d3 = d3 * h * (1 - h)  # chain rule through the softmax
    d2 = (d3 @ params["Theta2"])[:, 1:] * sigmoid(z2) * (1 - sigmoid(z2))
    Theta1_grad = d2.T @ a1
    Theta2_grad = d3.T @ a2
    return {"Theta1": Theta1_grad, "Theta2": Theta2_grad}


if __name__ == "__main__":
    for i in range(500):
        g = grads(params, X, y)
        for k in params:
            params[k] -= 1.0 * g[k]
    print(loss(params, X, y))
