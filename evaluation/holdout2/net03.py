import numpy as np

rng = np.random.default_rng(303)
N, D, H, C = 12, 5, 7, 4
X = rng.normal(size=(N, D))
y = rng.integers(0, C, size=N)

params = {
    "W_in": rng.normal(size=(H, D)) * np.sqrt(2.0 / D),
    "b_in": np.full(H, 0.1),
    "W_out": rng.normal(size=(C, H)) * np.sqrt(1.0 / H),
    "b_out": np.zeros(C),
}


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def softmax_derivative(p):
    return p * (1 - p)


def forward(params, X):
    pre = X @ params["W_in"].T + params["b_in"]
    hid = np.maximum(pre, 0.0)
    logits = hid @ params["W_out"].T + params["b_out"]
    return pre, hid, softmax(logits)


def loss(params, X, y):
    _, _, probs = forward(params, X)
    return -np.log(probs[np.arange(len(y)), y]).mean()


def grads(params, X, y):
    pre, hid, probs = forward(params, X)
    onehot = np.eye(probs.shape[1])[y]
    delta = (probs - onehot) / len(y)
    delta = delta * softmax_derivative(probs)
    dW_out = delta.T @ hid
    db_out = delta.sum(axis=0)
    dhid = delta @ params["W_out"]
    dpre = dhid * (pre > 0)
    dW_in = dpre.T @ X
    db_in = dpre.sum(axis=0)
    return {"W_in": dW_in, "b_in": db_in, "W_out": dW_out, "b_out": db_out}
