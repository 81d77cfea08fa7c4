import numpy as np


class TwoLayerNet(object):
    def __init__(self, input_size, hidden_size, output_size, std=3e-1, seed=5):
        rng = np.random.default_rng(seed)
        self.params = {}
        self.params['W1'] = std * rng.standard_normal((input_size, hidden_size))
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = std * rng.standard_normal((hidden_size, output_size))
        self.params['b2'] = np.zeros(output_size)

    def loss(self, X, y=None, reg=0.1):
        W1, b1 = self.params['W1'], self.params['b1']
        W2, b2 = self.params['W2'], self.params['b2']
        N, D = X.shape

        h1 = np.maximum(0, X.dot(W1) + b1)
        scores = h1.dot(W2) + b2
        if y is None:
            return scores

        shifted = scores - np.max(scores, axis=1, keepdims=True)
        exp_scores = np.exp(shifted)
        probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
        data_loss = -np.sum(np.log(probs[np.arange(N), y])) / N
        reg_loss = reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        loss = data_loss + reg_loss

        grads = {}
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
        grads['W2'] = h1.T.dot(dscores)
        grads['b2'] = np.sum(dscores, axis=0)
        dh1 = dscores.dot(W2.T)
        dh1[h1 <= 0] = 0
        grads['W1'] = X.T.dot(dh1) + 2 * reg * W1
        grads['b1'] = np.sum(dh1, axis=0)
        return loss, grads


rng = np.random.default_rng(55)
X = rng.standard_normal((10, 4))
y = rng.integers(0, 3, size=10)
model = TwoLayerNet(4, 10, 3)
