import numpy as np


class Net:
    """sizes = [n_in, n_hidden, n_classes]; tanh hidden layer, softmax output."""

    def __init__(self, sizes, seed=0):
        rng = np.random.default_rng(seed)
        self.weights = [rng.standard_normal((m, n)) / np.sqrt(m)
                        for m, n in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros((1, n)) for n in sizes[1:]]

    def feedforward(self, X):
        z1 = X @ self.weights[0] + self.biases[0]
        h = np.tanh(z1)
        z2 = h @ self.weights[1] + self.biases[1]
        z2 = z2 - z2.max(axis=1, keepdims=True)
        p = np.exp(z2) / np.exp(z2).sum(axis=1, keepdims=True)
        return h, p

    def tanh_deriv(self, x):
        return 1 - np.tanh(x) ** 2

    def backprop(self, X, labels):
        h, p = self.feedforward(X)
        n = X.shape[0]
        delta2 = p.copy()
        delta2[np.arange(n), labels] -= 1
        delta2 /= n
        delta1 = (delta2 @ self.weights[1].T) * self.tanh_deriv(h)
        nabla_w = [X.T @ delta1, h.T @ delta2]
        nabla_b = [delta1.sum(axis=0, keepdims=True), delta2.sum(axis=0, keepdims=True)]
        return nabla_w, nabla_b


net = Net([4, 6, 3], seed=20)
rng = np.random.default_rng(200)
X = rng.standard_normal((9, 4))
y = rng.integers(0, 3, size=9)
params = {"w0": net.weights[0], "w1": net.weights[1], "b0": net.biases[0], "b1": net.biases[1]}


def loss(params, X, y):
    _, p = net.feedforward(X)
    return -np.mean(np.log(p[np.arange(len(y)), y]))


def grads(params, X, y):
    nabla_w, nabla_b = net.backprop(X, y)
    return {"w0": nabla_w[0], "w1": nabla_w[1], "b0": nabla_b[0], "b1": nabla_b[1]}


def update(params, grads, lr):
    for k in params:
        params[k] += lr * grads[k]
