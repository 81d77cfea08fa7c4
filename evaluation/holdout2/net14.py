import numpy as np


class Classifier:
    def __init__(self, sizes, seed=14):
        rng = np.random.default_rng(seed)
        self.weights = [rng.normal(size=(a, b)) / np.sqrt(a) for a, b in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros(b) for b in sizes[1:]]

    def _forward_one(self, x):
        hs = [x]
        for W, b in zip(self.weights[:-1], self.biases[:-1]):
            hs.append(np.tanh(hs[-1] @ W + b))
        logits = hs[-1] @ self.weights[-1] + self.biases[-1]
        p = np.exp(logits - logits.max())
        return hs, p / p.sum()

    def nll(self, X, labels):
        total = 0.0
        for x, t in zip(X, labels):
            _, p = self._forward_one(x)
            total -= np.log(p[t])
        return total / len(X)

    def backprop(self, X, labels):
        gW = [np.zeros_like(W) for W in self.weights]
        gb = [np.zeros_like(b) for b in self.biases]
        for x, t in zip(X, labels):
            hs, p = self._forward_one(x)
            delta = p.copy()
            delta[t] -= 1.0
            for k in range(len(self.weights) - 1, -1, -1):
                gW[k] += np.outer(hs[k], delta)
                gb[k] += delta
                if k > 0:
                    delta = (self.weights[k] @ delta) * (1 - hs[k] ** 2)
        n = len(X)
        return [g / n for g in gW], [g / n for g in gb]


rng = np.random.default_rng(1414)
X = rng.normal(size=(9, 4))
y = rng.integers(0, 3, size=9)
clf = Classifier([4, 6, 5, 3])

params = {}
for i in range(len(clf.weights)):
    params[f"W{i}"] = clf.weights[i]
    params[f"b{i}"] = clf.biases[i]


def loss(params, X, y):
    return clf.nll(X, y)


def grads(params, X, y):
    gW, gb = clf.backprop(X, y)
    out = {}
    for i in range(len(gW)):
        out[f"W{i}"] = gW[i]
        out[f"b{i}"] = gb[i]
    return out
