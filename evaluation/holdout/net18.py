import numpy as np

rng = np.random.default_rng(88)
X = rng.normal(size=(10, 4))
y = rng.integers(0, 3, size=10)

params = {
    "W_in": rng.normal(size=(4, 6)) / 2.0,
    "b_in": np.zeros(6),
    "W_out": rng.normal(size=(6, 3)) / np.sqrt(6),
    "b_out": np.zeros(3),
}


def _forward(params, X):
    hidden = np.tanh(X @ params["W_in"] + params["b_in"])
    logits = hidden @ params["W_out"] + params["b_out"]
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    return hidden, probs


def loss(params, X, y):
    _, probs = _forward(params, X)
    return float(-np.mean(np.log(probs[np.arange(len(y)), y])))


def train_step(params, X, y, lr):
    """One step of plain gradient descent, in place."""
    hidden, probs = _forward(params, X)
    n = len(y)
    d_logits = probs
    d_logits[np.arange(n), y] -= 1.0
    d_logits /= n
    d_hidden = (d_logits @ params["W_out"].T) * (1.0 - hidden ** 2)
    params["W_out"] -= lr * (hidden.T @ d_logits)
    params["b_out"] -= lr * d_logits.sum(axis=0)
    params["W_in"] -= lr * (X.T @ d_hidden)
    params["b_in"] -= lr * d_hidden.sum(axis=0)


if __name__ == "__main__":
    for step in range(200):
        train_step(params, X, y, 0.5)
    print(loss(params, X, y))
