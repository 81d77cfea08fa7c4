import numpy as np

rng = np.random.default_rng(606)
n_samples, n_in, n_hidden, n_out = 11, 4, 6, 3
X = rng.normal(size=(n_samples, n_in))
y = (rng.uniform(size=(n_samples, n_out)) > 0.5).astype(float)

params = {
    "weights_hidden": rng.normal(scale=1 / np.sqrt(n_in), size=(n_in, n_hidden)),
    "bias_hidden": np.zeros((1, n_hidden)),
    "weights_output": rng.normal(scale=1 / np.sqrt(n_hidden), size=(n_hidden, n_out)),
    "bias_output": np.zeros((1, n_out)),
}


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def loss(params, X, y):
    hidden = np.tanh(X @ params["weights_hidden"] + params["bias_hidden"])
    output = sigmoid(hidden @ params["weights_output"] + params["bias_output"])
    return np.sum((output - y) ** 2) / len(X)


def grads(params, X, y):
    hidden = np.tanh(X @ params["weights_hidden"] + params["bias_hidden"])
    output = sigmoid(hidden @ params["weights_output"] + params["bias_output"])
    error = 2 * np.sum(output - y, axis=0, keepdims=True) / len(X)
    delta_output = error * output * (1 - output)
    delta_hidden = (delta_output @ params["weights_output"].T) * (1 - hidden ** 2)
    return {
        "weights_hidden": X.T @ delta_hidden,
        "bias_hidden": delta_hidden.sum(axis=0, keepdims=True),
        "weights_output": hidden.T @ delta_output,
        "bias_output": delta_output.sum(axis=0, keepdims=True),
    }
