import numpy as np


class TwoLayerLeaky:
    """cs231n-style: loss(X, y) returns (loss, grads)."""

    def __init__(self, d, h, c, reg=0.05, seed=4):
        r = np.random.default_rng(seed)
        self.reg = reg
        self.params = {
            "W1": r.standard_normal((d, h)) / np.sqrt(d),
            "b1": np.zeros(h),
            "W2": r.standard_normal((h, c)) / np.sqrt(h),
            "b2": np.zeros(c),
        }

    def loss(self, X, y):
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        N = X.shape[0]
        z = X @ W1 + b1
        a = np.where(z > 0, z, 0.1 * z)
        scores = a @ W2 + b2
        scores = scores - scores.max(axis=1, keepdims=True)
        logp = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        data_loss = -logp[np.arange(N), y].mean()
        L = data_loss + 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

        grads = {}
        dscores = np.exp(logp)
        dscores[np.arange(N), y] -= 1
        dscores /= N
        grads["W2"] = a.T @ dscores
        grads["b2"] = dscores.sum(axis=0)
        da = dscores @ W2.T
        dz = da * np.where(z > 0, 1.0, 0.1)
        grads["W1"] = X.T @ dz + self.reg * W1
        grads["b1"] = dz.sum(axis=0)
        return L, grads


model = TwoLayerLeaky(6, 9, 4)
_r = np.random.default_rng(40)
X = _r.standard_normal((14, 6))
y = _r.integers(0, 4, size=14)
