import numpy as np

# torch-like naming: weights stored (out_features, in_features)
SIZES = [6, 8, 7, 5, 3]
ACTS = ["relu", "tanh", "sigmoid"]

_g = np.random.default_rng(77)
params = {}
for i, (fi, fo) in enumerate(zip(SIZES[:-1], SIZES[1:])):
    params[f"layers.{i}.weight"] = _g.standard_normal((fo, fi)) / np.sqrt(fi)
    params[f"layers.{i}.bias"] = 0.1 * _g.standard_normal(fo)

X = _g.standard_normal((13, 6))
y = _g.integers(0, 3, size=13)


def act(name, z):
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "tanh":
        return np.tanh(z)
    return 1.0 / (1.0 + np.exp(-z))


def act_prime(name, z):
    if name == "relu":
        return (z > 0).astype(float)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    s = 1.0 / (1.0 + np.exp(-z))
    return s * (1.0 - s)


def forward(params, X):
    cache = [(None, X)]
    a = X
    for i in range(len(SIZES) - 1):
        z = a @ params[f"layers.{i}.weight"].T + params[f"layers.{i}.bias"]
        a = act(ACTS[i], z) if i < len(ACTS) else z
        cache.append((z, a))
    return cache


def loss(params, X, y):
    logits = forward(params, X)[-1][1]
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    return np.mean(lse - logits[np.arange(len(y)), y])


def grads(params, X, y):
    cache = forward(params, X)
    logits = cache[-1][1]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0
    delta = p / len(y)
    out = {}
    for i in reversed(range(len(SIZES) - 1)):
        a_prev = cache[i][1]
        out[f"layers.{i}.weight"] = delta.T @ a_prev
        out[f"layers.{i}.bias"] = delta.sum(axis=0)
        if i > 0:
            delta = (delta @ params[f"layers.{i}.weight"]) * act_prime(ACTS[i - 1], cache[i][0])
    return out


def update(params, g, lr):
    for k in params:
        params[k] -= lr * g[k]
