import numpy as np


class Dense:
    def __init__(self, n_in, n_out, rng):
        self.W = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
        self.b = np.zeros((1, n_out))

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad_out):
        self.dW = self.x.T @ grad_out
        self.db = grad_out.sum(axis=0, keepdims=True)
        return grad_out @ self.W.T


class LeakyReLU:
    def __init__(self, slope=0.01):
        self.slope = slope

    def forward(self, x):
        self.mask = x > 0
        return np.where(self.mask, x, self.slope * x)

    def backward(self, grad_out):
        return grad_out * np.where(self.mask, 1.0, self.slope)


class MSELoss:
    def forward(self, pred, target):
        self.diff = pred - target
        return np.mean(self.diff ** 2)

    def backward(self):
        return 2.0 * self.diff / self.diff.size


rng = np.random.default_rng(44)
layers = [Dense(3, 8, rng), LeakyReLU(0.1), Dense(8, 8, rng), LeakyReLU(0.1), Dense(8, 2, rng)]
criterion = MSELoss()

X = rng.normal(size=(10, 3))
y = np.stack([np.sin(X[:, 0]) + X[:, 1], X[:, 2] * X[:, 0]], axis=1)

dense = [layer for layer in layers if isinstance(layer, Dense)]
params = {}
for i, layer in enumerate(dense):
    params[f"layer{i}.W"] = layer.W
    params[f"layer{i}.b"] = layer.b


def predict(X):
    out = X
    for layer in layers:
        out = layer.forward(out)
    return out


def loss(params, X, y):
    return criterion.forward(predict(X), y)


def grads(params, X, y):
    loss(params, X, y)
    g = criterion.backward()
    for layer in reversed(layers):
        g = layer.backward(g)
    out = {}
    for i, layer in enumerate(dense):
        out[f"layer{i}.W"] = layer.dW
        out[f"layer{i}.b"] = layer.db
    return out


if __name__ == "__main__":
    for step in range(200):
        g = grads(params, X, y)
        for k in params:
            params[k] -= 0.05 * g[k]
    print(loss(params, X, y))
