import numpy as np


def _sig(a):
    return 1.0 / (1.0 + np.exp(-a))


class TinyClassifier:
    """One sigmoid hidden layer, softmax output, one sample at a time."""

    def __init__(self, n_in, n_hid, n_out, seed=3):
        g = np.random.default_rng(seed)
        self.p = {
            "w_in": g.standard_normal((n_in, n_hid)) / np.sqrt(n_in),
            "bias_in": np.zeros(n_hid),
            "w_out": g.standard_normal((n_hid, n_out)) / np.sqrt(n_hid),
            "bias_out": np.zeros(n_out),
        }

    def predict_one(self, x):
        s = x @ self.p["w_in"] + self.p["bias_in"]
        hid = _sig(s)
        o = hid @ self.p["w_out"] + self.p["bias_out"]
        o = o - o.max()
        pr = np.exp(o) / np.exp(o).sum()
        return hid, pr

    def cost(self, X, labels):
        total = 0.0
        for x, c in zip(X, labels):
            _, pr = self.predict_one(x)
            total -= np.log(pr[c])
        return total / len(X)

    def backprop(self, X, labels):
        g = {k: np.zeros_like(v) for k, v in self.p.items()}
        m = len(X)
        for x, c in zip(X, labels):
            hid, pr = self.predict_one(x)
            e_out = pr.copy()
            e_out[c] -= 1.0
            g["w_out"] += np.outer(hid, e_out) / m
            g["bias_out"] += e_out / m
            e_hid = (self.p["w_out"] @ e_out) * hid * (1.0 - hid)
            g["w_in"] += np.outer(x, e_hid) / m
            g["bias_in"] = e_hid / m
        return g


_rng = np.random.default_rng(11)
X = _rng.standard_normal((9, 4))
y = _rng.integers(0, 3, size=9)
net = TinyClassifier(4, 6, 3)
params = net.p


def loss(params, X, y):
    return net.cost(X, y)


def grads(params, X, y):
    return net.backprop(X, y)


if __name__ == "__main__":
    for epoch in range(200):
        g = grads(params, X, y)
        for k in params:
            params[k] -= 0.5 * g[k]
    print(loss(params, X, y))
