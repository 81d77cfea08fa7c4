"""Benchmark model: ReLU MLP 784-256-128-10, softmax cross-entropy (mean), batch 32.

About 235k parameters (W1 784x256, b1, W2 256x128, b2, W3 128x10, b3).
He-initialised weights, zero biases, deterministic data from
np.random.default_rng(0). The gradients are exact (correct backprop), so
`backpropdoctor check` must report "pass" on this file.

mlp_small.py imports this file's network code with smaller SIZES.
"""
import numpy as np

SIZES = (784, 256, 128, 10)
BATCH = 32

rng = np.random.default_rng(0)


def init_params(sizes, rng):
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{i}"] = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)  # He init
        params[f"b{i}"] = np.zeros(fan_out)
    return params


params = init_params(SIZES, rng)
X = rng.standard_normal((BATCH, SIZES[0]))
y = rng.integers(0, SIZES[-1], size=BATCH)  # integer class labels


def _forward(params, X):
    """Activations of every layer; the last entry is the logits."""
    n_layers = len(params) // 2
    acts = [X]
    pre = []
    h = X
    for i in range(1, n_layers + 1):
        z = h @ params[f"W{i}"] + params[f"b{i}"]
        pre.append(z)
        h = np.maximum(z, 0.0) if i < n_layers else z
        acts.append(h)
    return acts, pre


def _log_softmax(z):
    shifted = z - np.max(z, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def loss(params, X, y):
    acts, _ = _forward(params, X)
    logp = _log_softmax(acts[-1])
    return float(-np.mean(logp[np.arange(len(y)), y]))


def grads(params, X, y):
    acts, pre = _forward(params, X)
    n = len(y)
    probs = np.exp(_log_softmax(acts[-1]))
    delta = probs
    delta[np.arange(n), y] -= 1.0
    delta /= n                                   # dL/dlogits for the mean loss
    out = {}
    n_layers = len(params) // 2
    for i in range(n_layers, 0, -1):
        out[f"W{i}"] = acts[i - 1].T @ delta
        out[f"b{i}"] = delta.sum(axis=0)
        if i > 1:
            delta = (delta @ params[f"W{i}"].T) * (pre[i - 2] > 0)
    return out
