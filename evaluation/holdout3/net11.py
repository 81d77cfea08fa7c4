import numpy as np

gen = np.random.default_rng(111)
X = gen.standard_normal((9, 3))
y = np.column_stack([(X[:, 0] > 0), (X[:, 1] + X[:, 2] > 0)]).astype(float)

params = {
    "weights_hidden": gen.standard_normal((3, 5)) / np.sqrt(3),
    "bias_hidden": np.zeros((1, 5)),
    "weights_output": gen.standard_normal((5, 2)) / np.sqrt(5),
    "bias_output": np.zeros((1, 2)),
}


def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def feed(params, X):
    hidden = np.tanh(X @ params["weights_hidden"] + params["bias_hidden"])
    output = sig(hidden @ params["weights_output"] + params["bias_output"])
    return hidden, output


def loss(params, X, y):
    _, output = feed(params, X)
    return np.mean(np.sum((output - y) ** 2, axis=1)) / 2


def grads(params, X, y):
    hidden, output = feed(params, X)
    N = X.shape[0]
    err = (output - y).sum(axis=0, keepdims=True) / N
    delta_out = err * output * (1 - output)
    delta_hid = (delta_out @ params["weights_output"].T) * (1 - hidden ** 2)
    return {
        "weights_output": hidden.T @ delta_out,
        "bias_output": delta_out.sum(axis=0, keepdims=True),
        "weights_hidden": X.T @ delta_hid,
        "bias_hidden": delta_hid.sum(axis=0, keepdims=True),
    }


def update(params, gradients, learning_rate):
    for name, g in gradients.items():
        params[name] += learning_rate * g
