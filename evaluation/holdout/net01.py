import numpy as np

# a small MLP built from a list of layers: 5 -> 6 -> 6 -> 3, tanh hidden units
rng = np.random.default_rng(8)
sizes = [5, 6, 6, 3]
layers = []
for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
    layers.append({"W": rng.normal(size=(fan_in, fan_out)) / np.sqrt(fan_in),
                   "b": np.zeros(fan_out)})
params = {f"{p}{i}": layer[p] for i, layer in enumerate(layers) for p in ("W", "b")}

X = rng.normal(size=(12, 5))
y = rng.integers(0, 3, size=12)


def tanh_prime(z):
    return 1.0 - np.tanh(z) ** 2


def run(X):
    acts, pre = [X], []
    for i, layer in enumerate(layers):
        z = acts[-1] @ layer["W"] + layer["b"]
        pre.append(z)
        acts.append(np.tanh(z) if i < len(layers) - 1 else z)
    return acts, pre


def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def loss(params, X, y):
    acts, _ = run(X)
    return -log_softmax(acts[-1])[np.arange(len(y)), y].mean()


def grads(params, X, y):
    acts, pre = run(X)
    delta = np.exp(log_softmax(acts[-1]))
    delta[np.arange(len(y)), y] -= 1.0
    delta /= len(y)
    out = {}
    for i in reversed(range(len(layers))):
        out[f"W{i}"] = acts[i].T @ delta
        out[f"b{i}"] = delta.sum(axis=0)
        if i > 0:
            upstream = delta @ layers[i]["W"].T
            delta = tanh_prime(upstream)
    return out
