import numpy as np


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


# raw features are standardised before training
rng = np.random.default_rng(2024)
raw = rng.normal(loc=3.0, scale=2.0, size=(13, 3))
features = (raw - raw.mean(axis=0)) / raw.std(axis=0)
labels = (features.sum(axis=1) > 0).astype(float)


def batch():
    return features, labels


params = {
    "weights1": rng.normal(size=(3, 5)) / np.sqrt(3),
    "biases1": np.zeros(5),
    "weights2": rng.normal(size=5) / np.sqrt(5),
    "bias2": np.zeros(1),
}


def loss(params, X, y):
    total = 0.0
    for x, t in zip(X, y):
        h = sigmoid(x @ params["weights1"] + params["biases1"])
        p = sigmoid(h @ params["weights2"] + params["bias2"][0])
        total += -(t * np.log(p) + (1 - t) * np.log(1 - p))
    return total / len(X)


def grads(params, X, y):
    g = {name: np.zeros_like(value) for name, value in params.items()}
    for x, t in zip(X, y):
        h = sigmoid(x @ params["weights1"] + params["biases1"])
        p = sigmoid(h @ params["weights2"] + params["bias2"][0])
        d_out = p - t                       # dBCE/dlogit for a sigmoid output
        g["weights2"] += d_out * h
        g["bias2"] += d_out
        d_h = d_out * params["weights2"] * h * (1 - h)
        g["weights1"] += np.outer(x, d_h)
        g["biases1"] += d_h
    for name in g:
        g[name] /= len(X)
    return g


def update(params, g, lr=0.5):
    for name in params:
        params[name] -= lr * g[name]
