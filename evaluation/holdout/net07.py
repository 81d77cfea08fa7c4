import numpy as np


class ShallowNet:
    """Two-layer ReLU regression net; columns are examples, W shaped (out, in)."""

    def __init__(self, n_in=6, n_hidden=4, n_out=2, seed=24):
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": rng.normal(size=(n_hidden, n_in)) * np.sqrt(2 / n_in),
            "b1": np.full((n_hidden, 1), 0.1),
            "W2": rng.normal(size=(n_out, n_hidden)) / np.sqrt(n_hidden),
            "b2": np.zeros((n_out, 1)),
        }

    def forward(self, X):
        p = self.params
        self.Z1 = p["W1"] @ X + p["b1"]
        self.A1 = np.maximum(self.Z1, 0)
        self.Z2 = p["W2"] @ self.A1 + p["b2"]
        return self.Z2

    def loss(self, X, Y):
        Z2 = self.forward(X)
        m = X.shape[1]
        loss = 0.5 * np.sum((Z2 - Y) ** 2) / m
        dZ2 = (Z2 - Y) / m
        grads = {"W2": dZ2 @ self.A1.T, "b2": dZ2.sum(axis=1, keepdims=True)}
        dA1 = self.params["W2"].T @ dZ2
        grads["b1"] = dA1.sum(axis=1, keepdims=True)
        dZ1 = dA1 * (self.Z1 > 0)
        grads["W1"] = X @ dZ1.T
        return loss, grads


model = ShallowNet()
_gen = np.random.default_rng(240)
X = _gen.normal(size=(6, 12))
y = np.vstack([X[0] - X[3], np.abs(X[1])])   # (2, 12) targets

if __name__ == "__main__":
    for it in range(500):
        L, g = model.loss(X, y)
        for k in model.params:
            model.params[k] -= 0.1 * g[k]
    print(L)
