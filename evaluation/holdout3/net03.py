import numpy as np


class Linear:
    def __init__(self, fan_in, fan_out, rng):
        self.W = rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)
        self.b = np.zeros((1, fan_out))

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, g):
        self.dW = self.x.T @ g
        self.db = g.sum(axis=0, keepdims=True)
        return g @ self.W.T


class ReLU:
    def forward(self, z):
        self.mask = (z > 0).astype(z.dtype)
        return z * self.mask

    def backward(self, g):
        return g * self.mask


gen = np.random.default_rng(7)
stack = [Linear(3, 8, gen), ReLU(), Linear(8, 2, gen)]

X = gen.standard_normal((10, 3))
y = np.column_stack([X[:, 0] - X[:, 1], np.sin(X[:, 2])])

params = {}
for i, layer in enumerate(stack):
    if isinstance(layer, Linear):
        params[f"dense{i}.W"] = layer.W
        params[f"dense{i}.b"] = layer.b


def _run(X):
    out = X
    for layer in stack:
        out = layer.forward(out)
    return out


def loss(params, X, y):
    pred = _run(X)
    return 0.5 * np.sum((pred - y) ** 2) / X.shape[0]


def train_step(params, X, y, lr):
    pred = _run(X)
    g = (pred - y) / X.shape[0]
    for layer in reversed(stack):
        g = layer.backward(g)
    for layer in stack:
        if isinstance(layer, Linear):
            layer.W -= lr * layer.dW
            layer.b -= lr * layer.db
