import numpy as np


class FullyConnectedNet:
    """{affine - relu} x (L - 1) - affine - softmax, with L2 regularization."""

    def __init__(self, hidden_dims, input_dim, num_classes, reg=0.05, seed=0):
        rng = np.random.default_rng(seed)
        dims = [input_dim] + hidden_dims + [num_classes]
        self.num_layers = len(dims) - 1
        self.reg = reg
        self.params = {}
        for i in range(self.num_layers):
            self.params[f"W{i+1}"] = rng.standard_normal((dims[i], dims[i + 1])) * np.sqrt(2.0 / dims[i])
            self.params[f"b{i+1}"] = np.full(dims[i + 1], 0.05)

    def loss(self, X, y):
        caches = []
        out = X
        for i in range(1, self.num_layers + 1):
            W, b = self.params[f"W{i}"], self.params[f"b{i}"]
            z = out @ W + b
            caches.append((out, z))
            out = np.maximum(z, 0) if i < self.num_layers else z
        shifted = out - out.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        N = X.shape[0]
        loss = -log_probs[np.arange(N), y].mean()
        for i in range(1, self.num_layers + 1):
            loss += 0.5 * self.reg * np.sum(self.params[f"W{i}"] ** 2)

        grads = {}
        dout = np.exp(log_probs)
        dout[np.arange(N), y] -= 1
        dout /= N
        for i in range(self.num_layers, 0, -1):
            inp, z = caches[i - 1]
            if i < self.num_layers:
                dout = dout * (z > 0)
            grads[f"W{i}"] = inp.T @ dout + self.reg * self.params[f"W{i}"]
            grads[f"b{i}"] = dout.sum(axis=0)
            dout = dout @ self.params[f"W{i}"].T
        return loss, grads


model = FullyConnectedNet([6, 5], input_dim=4, num_classes=3)
_rng = np.random.default_rng(77)
X = _rng.standard_normal((14, 4))
y = _rng.integers(0, 3, 14)
