import numpy as np


class Dense:
    def __init__(self, n_in, n_out, rng):
        self.W = rng.normal(size=(n_in, n_out)) * np.sqrt(2.0 / n_in)
        self.b = np.zeros((1, n_out))

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.dW = self.x.T @ grad
        self.db = grad.sum(axis=0, keepdims=True)
        return grad @ self.W.T


class LeakyReLU:
    def __init__(self, slope=0.1):
        self.slope = slope

    def forward(self, z):
        self.z = z
        return np.where(z > 0, z, self.slope * z)

    def backward(self, grad):
        return grad * np.where(self.z > 0, 1.0, self.slope)


rng = np.random.default_rng(6)
net = [Dense(5, 8, rng), LeakyReLU(), Dense(8, 6, rng), LeakyReLU(),
       Dense(6, 6, rng), LeakyReLU(), Dense(6, 4, rng)]
dense = [layer for layer in net if isinstance(layer, Dense)]
params = {}
for i, layer in enumerate(dense):
    params[f"dense{i}.W"] = layer.W
    params[f"dense{i}.b"] = layer.b

X = rng.normal(size=(16, 5))
y = rng.integers(0, 4, size=16)


def loss_and_grads(params, X, y):
    out = X
    for layer in net:
        out = layer.forward(out)
    out = out - out.max(axis=1, keepdims=True)
    p = np.exp(out)
    p /= p.sum(axis=1, keepdims=True)
    n = len(y)
    L = -np.log(p[np.arange(n), y]).sum() / n
    grad = p
    grad[np.arange(n), y] -= 1
    grad /= n
    for layer in reversed(net):
        grad = layer.backward(grad)
    g = {}
    for i, layer in enumerate(dense):
        g[f"dense{i}.W"] = layer.dW
        g[f"dense{i}.b"] = layer.db
    return L, g
