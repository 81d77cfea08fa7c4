import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(v):
    e = np.exp(v - np.max(v))
    return e / e.sum()


rng = np.random.default_rng(99)
n_features, n_hidden, n_classes = 4, 5, 3
params = {
    "weights_hidden": rng.normal(0, 1 / np.sqrt(n_features), (n_features, n_hidden)),
    "bias_hidden": np.zeros(n_hidden),
    "weights_out": rng.normal(0, 1 / np.sqrt(n_hidden), (n_hidden, n_classes)),
    "bias_out": np.zeros(n_classes),
}
X = rng.normal(size=(9, n_features))
y = rng.integers(0, n_classes, 9)


def forward_one(p, x):
    hidden = sigmoid(x @ p["weights_hidden"] + p["bias_hidden"])
    return hidden, softmax(hidden @ p["weights_out"] + p["bias_out"])


def loss(p, X, y):
    total = 0.0
    for x, label in zip(X, y):
        _, probs = forward_one(p, x)
        total -= np.log(probs[label])
    return total / len(X)


def grads(p, X, y):
    g = {k: np.zeros_like(v) for k, v in p.items()}
    for x, label in zip(X, y):
        hidden, probs = forward_one(p, x)
        err = probs.copy()
        err[label] -= 1.0
        g["weights_out"] += np.outer(hidden, err)
        g["bias_out"] += err
        delta_h = (p["weights_out"] @ err) * hidden * (1.0 - hidden)
        g["weights_hidden"] += np.outer(x, delta_h)
        g["bias_hidden"] = delta_h
    for k in g:
        g[k] /= len(X)
    return g


def update(p, g, lr):
    for k in p:
        p[k] -= lr * g[k]
