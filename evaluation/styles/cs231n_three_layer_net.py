import numpy as np


def affine_forward(x, w, b):
    N = x.shape[0]
    x_row = x.reshape(N, -1)
    out = np.dot(x_row, w) + b
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    x, w, b = cache
    N = x.shape[0]
    x_row = x.reshape(N, -1)
    dx = np.dot(dout, w.T).reshape(*x.shape)
    dw = np.dot(x_row.T, dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db


def relu_forward(x):
    out = x * (x > 0)
    cache = x
    return out, cache


def relu_backward(dout, cache):
    x = cache
    dx = dout * (x > 0)
    return dx


def affine_relu_forward(x, w, b):
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    cache = (fc_cache, relu_cache)
    return out, cache


def affine_relu_backward(dout, cache):
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db


def softmax_loss(x, y):
    probs = np.exp(x - np.max(x, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    N = x.shape[0]
    loss = -np.sum(np.log(probs[np.arange(N), y])) / N
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx


class ThreeLayerNet(object):
    """
    affine - relu - affine - relu - affine - softmax
    """

    def __init__(self, input_dim, hidden_dims, num_classes, weight_scale=1e-2, reg=0.0):
        self.reg = reg
        self.params = {}
        H1, H2 = hidden_dims
        self.params['W1'] = weight_scale * np.random.randn(input_dim, H1)
        self.params['b1'] = np.zeros(H1)
        self.params['W2'] = weight_scale * np.random.randn(H1, H2)
        self.params['b2'] = np.zeros(H2)
        self.params['W3'] = weight_scale * np.random.randn(H2, num_classes)
        self.params['b3'] = np.zeros(num_classes)

    def loss(self, X, y=None):
        W1, b1 = self.params['W1'], self.params['b1']
        W2, b2 = self.params['W2'], self.params['b2']
        W3, b3 = self.params['W3'], self.params['b3']

        h1, cache1 = affine_relu_forward(X, W1, b1)
        h2, cache2 = affine_relu_forward(h1, W2, b2)
        scores, cache3 = affine_forward(h2, W3, b3)

        if y is None:
            return scores

        grads = {}
        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2) + np.sum(W3 ** 2))

        dh2, grads['W3'], grads['b3'] = affine_backward(dscores, cache3)
        dh1, grads['W2'], grads['b2'] = affine_backward(dh2, cache2[0])  # BUG: relu backward of layer 2 skipped
        dx, grads['W1'], grads['b1'] = affine_relu_backward(dh1, cache1)

        grads['W3'] += self.reg * W3
        grads['W2'] += self.reg * W2
        grads['W1'] += self.reg * W1

        return loss, grads


class Solver(object):
    def __init__(self, model, data, learning_rate=1e-2, num_epochs=10, batch_size=4, verbose=True):
        self.model = model
        self.X_train = data['X_train']
        self.y_train = data['y_train']
        self.learning_rate = learning_rate
        self.num_epochs = num_epochs
        self.batch_size = batch_size
        self.verbose = verbose
        self.loss_history = []

    def _step(self):
        num_train = self.X_train.shape[0]
        batch_mask = np.random.choice(num_train, self.batch_size)
        X_batch = self.X_train[batch_mask]
        y_batch = self.y_train[batch_mask]
        loss, grads = self.model.loss(X_batch, y_batch)
        self.loss_history.append(loss)
        for p, w in self.model.params.items():
            self.model.params[p] = w - self.learning_rate * grads[p]

    def train(self):
        num_train = self.X_train.shape[0]
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        for t in range(self.num_epochs * iterations_per_epoch):
            self._step()
            if self.verbose and t % iterations_per_epoch == 0:
                print('(Iteration %d) loss: %f' % (t + 1, self.loss_history[-1]))


np.random.seed(0)
data = {
    'X_train': np.random.randn(16, 2, 3),
    'y_train': np.random.randint(4, size=16),
}

model = ThreeLayerNet(input_dim=6, hidden_dims=(10, 7), num_classes=4, weight_scale=0.3, reg=0.01)
solver = Solver(model, data, learning_rate=0.1, num_epochs=5, batch_size=4)
solver.train()
