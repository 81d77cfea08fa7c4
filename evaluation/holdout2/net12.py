import numpy as np


class MLP:
    """fc1 -> sigmoid -> fc2 -> sigmoid -> fc3 -> softmax, weights stored (out, in)."""

    def __init__(self, n_in, n_h1, n_h2, n_out, weight_decay=0.05, seed=12):
        rng = np.random.default_rng(seed)
        self.weight_decay = weight_decay
        self.state = {
            "fc1.weight": rng.normal(size=(n_h1, n_in)) / np.sqrt(n_in),
            "fc1.bias": np.zeros(n_h1),
            "fc2.weight": rng.normal(size=(n_h2, n_h1)) * 2 / np.sqrt(n_h1),
            "fc2.bias": np.zeros(n_h2),
            "fc3.weight": rng.normal(size=(n_out, n_h2)) * 2 / np.sqrt(n_h2),
            "fc3.bias": np.zeros(n_out),
        }

    @staticmethod
    def _sigmoid(x):
        return 1.0 / (1.0 + np.exp(-x))

    def forward(self, x):
        s = self.state
        self.x = x
        self.a1 = self._sigmoid(x @ s["fc1.weight"].T + s["fc1.bias"])
        self.a2 = self._sigmoid(self.a1 @ s["fc2.weight"].T + s["fc2.bias"])
        logits = self.a2 @ s["fc3.weight"].T + s["fc3.bias"]
        logits = logits - logits.max(axis=1, keepdims=True)
        self.probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return self.probs

    def criterion(self, x, labels):
        probs = self.forward(x)
        nll = -np.mean(np.log(probs[np.arange(len(labels)), labels]))
        l2 = sum(np.sum(v ** 2) for k, v in self.state.items() if k.endswith("weight"))
        return nll + 0.5 * self.weight_decay * l2

    def backward(self, labels):
        s, wd = self.state, self.weight_decay
        n = len(labels)
        g = {}
        d3 = self.probs.copy()
        d3[np.arange(n), labels] -= 1
        d3 /= n
        g["fc3.weight"] = d3.T @ self.a2
        g["fc3.bias"] = d3.sum(axis=0)
        d2 = (d3 @ s["fc3.weight"]) * self.a2 * (1 - self.a2)
        g["fc2.weight"] = d2.T @ self.a1 + wd * s["fc2.weight"]
        g["fc2.bias"] = d2.sum(axis=0)
        d1 = d2 @ s["fc2.weight"]
        g["fc1.weight"] = d1.T @ self.x + wd * s["fc1.weight"]
        g["fc1.bias"] = d1.sum(axis=0)
        return g


rng = np.random.default_rng(1212)
X = rng.normal(size=(16, 5))
y = rng.integers(0, 4, size=16)
mlp = MLP(5, 7, 6, 4)
params = mlp.state


def loss(params, X, y):
    return mlp.criterion(X, y)


def grads(params, X, y):
    mlp.forward(X)
    return mlp.backward(y)
