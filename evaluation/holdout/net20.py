import numpy as np


class TwoLayerNet:
    """affine - relu - affine - softmax, cs231n style."""

    def __init__(self, input_size, hidden_size, num_classes, reg=0.1, seed=0):
        rng = np.random.default_rng(seed)
        self.reg = reg
        self.params = {
            "W1": rng.standard_normal((input_size, hidden_size)) * np.sqrt(2.0 / input_size),
            "b1": np.zeros(hidden_size),
            "W2": rng.standard_normal((hidden_size, num_classes)) / np.sqrt(hidden_size),
            "b2": np.zeros(num_classes),
        }

    def loss(self, X, y):
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        N = X.shape[0]

        # forward pass
        hidden = np.maximum(0, X.dot(W1) + b1)
        scores = hidden.dot(W2) + b2
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=1, keepdims=True)
        data_loss = -np.log(probs[np.arange(N), y]).mean()
        reg_loss = 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        loss = data_loss + reg_loss

        # backward pass
        grads = {}
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
        grads["W2"] = hidden.T.dot(dscores) + self.reg * W2
        grads["b2"] = dscores.sum(axis=0)
        dhidden = dscores.dot(W2.T)
        dhidden[hidden <= 0] = 0
        grads["W1"] = X.T.dot(dhidden)
        grads["b1"] = dhidden.sum(axis=0)
        return loss, grads

    def predict(self, X):
        hidden = np.maximum(0, X.dot(self.params["W1"]) + self.params["b1"])
        return np.argmax(hidden.dot(self.params["W2"]) + self.params["b2"], axis=1)


rng = np.random.default_rng(3)
X = rng.standard_normal((12, 5))
y = rng.integers(0, 4, size=12)
model = TwoLayerNet(5, 7, 4, reg=0.1)
