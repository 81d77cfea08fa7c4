import numpy as np


class ColumnNet:
    """Binary classifier, samples in columns, tanh hidden layer."""

    def __init__(self, n_features, n_hidden, seed=9):
        rr = np.random.default_rng(seed)
        self.weights = {
            "Wx": rr.standard_normal((n_hidden, n_features)) / np.sqrt(n_features),
            "bx": np.zeros((n_hidden, 1)),
            "wy": rr.standard_normal((1, n_hidden)) / np.sqrt(n_hidden),
            "by": np.zeros((1, 1)),
        }

    def forward(self, X):
        A = np.tanh(self.weights["Wx"] @ X + self.weights["bx"])
        out = 1.0 / (1.0 + np.exp(-(self.weights["wy"] @ A + self.weights["by"])))
        return A, out

    def objective(self, X, t):
        _, out = self.forward(X)
        out = out.ravel()
        return -np.mean(t * np.log(out) + (1 - t) * np.log(1 - out))

    def gradient(self, X, t):
        m = X.shape[1]
        A, out = self.forward(X)
        dout = (out - t.reshape(1, -1)) / m
        dA = self.weights["wy"].T @ dout
        dZ = dA
        return {
            "wy": dout @ A.T,
            "by": dout.sum(axis=1, keepdims=True),
            "Wx": dZ @ X.T,
            "bx": dZ.sum(axis=1, keepdims=True),
        }


clf = ColumnNet(4, 6)
params = clf.weights
_rr = np.random.default_rng(99)
X = _rr.standard_normal((4, 12))
y = (X[0] - X[3] > 0).astype(float)


def loss(params, X, y):
    return clf.objective(X, y)


def grads(params, X, y):
    return clf.gradient(X, y)
