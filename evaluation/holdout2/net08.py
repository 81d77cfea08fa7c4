import numpy as np

rng = np.random.default_rng(808)
sizes = [6, 10, 8, 8, 5]
X = rng.normal(size=(14, sizes[0]))
y = rng.integers(0, sizes[-1], size=14)

params = {}
for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
    params[f"dense_{i}/kernel"] = rng.normal(size=(fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
    params[f"dense_{i}/bias"] = rng.uniform(0.0, 0.1, size=fan_out)

n_layers = len(sizes) - 1


def relu(z):
    return np.maximum(z, 0)


def forward(params, X):
    acts, pres = [X], []
    for i in range(n_layers):
        z = acts[-1] @ params[f"dense_{i}/kernel"] + params[f"dense_{i}/bias"]
        pres.append(z)
        acts.append(relu(z) if i < n_layers - 1 else z)
    return acts, pres


def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def loss(params, X, y):
    acts, _ = forward(params, X)
    return -log_softmax(acts[-1])[np.arange(len(y)), y].mean()


def grads(params, X, y):
    acts, pres = forward(params, X)
    p = np.exp(log_softmax(acts[-1]))
    p[np.arange(len(y)), y] -= 1.0
    delta = p / len(y)
    out = {}
    for i in reversed(range(n_layers)):
        out[f"dense_{i}/kernel"] = acts[i].T @ delta
        out[f"dense_{i}/bias"] = delta.sum(axis=0)
        if i > 0:
            delta = (delta @ params[f"dense_{i}/kernel"].T) * (pres[i - 1] > 0)
    return out


def update(params, grads, lr):
    for name, g in grads.items():
        params[name] -= lr * g
