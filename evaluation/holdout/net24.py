import numpy as np


def init_network(seed=12):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(size=(4, 5)) / np.sqrt(4), "b1": np.zeros(5),
        "W2": rng.normal(size=(5, 5)) / np.sqrt(5), "b2": np.zeros(5),
        "W3": rng.normal(size=(5, 3)) / np.sqrt(5), "b3": np.zeros(3),
    }


params = init_network()
_rng = np.random.default_rng(120)
X = _rng.normal(size=(10, 4))
y = _rng.integers(0, 3, size=10)


def forward(p, X):
    h1 = np.tanh(X @ p["W1"] + p["b1"])
    h2 = np.tanh(h1 @ p["W2"] + p["b2"])
    s = h2 @ p["W3"] + p["b3"]
    s = s - s.max(1, keepdims=True)
    return h1, h2, np.exp(s) / np.exp(s).sum(1, keepdims=True)


def loss(p, X, y):
    probs = forward(p, X)[2]
    return -np.log(probs[range(len(y)), y]).mean()


def grads(p, X, y):
    h1, h2, probs = forward(p, X)
    ds = probs
    ds[range(len(y)), y] -= 1
    ds = ds / len(y)
    dh2 = (ds @ p["W3"].T) * (1 - h2**2)
    dh1 = (dh2 @ p["W2"].T) * (1 - h1**2)
    return {
        "W3": h2.T @ ds, "b3": ds.sum(0),
        "W2": dh2.T @ h1, "b2": dh2.sum(0),
        "W1": X.T @ dh1, "b1": dh1.sum(0),
    }


def sgd(p, g, lr=0.1):
    for k in p:
        p[k] -= lr * g[k]


if __name__ == "__main__":
    for i in range(300):
        sgd(params, grads(params, X, y))
    print(loss(params, X, y))
