import numpy as np


class Regressor:
    def __init__(self, n_in, n_hidden, seed=10):
        rng = np.random.default_rng(seed)
        self.w_ih = rng.normal(size=(n_in, n_hidden)) / np.sqrt(n_in)
        self.b_h1 = np.zeros(n_hidden)
        self.w_hh = rng.normal(size=(n_hidden, n_hidden)) / np.sqrt(n_hidden)
        self.b_h2 = np.zeros(n_hidden)
        self.w_ho = rng.normal(size=(n_hidden, 1)) / np.sqrt(n_hidden)
        self.b_o = np.zeros(1)

    def forward(self, x):
        self.x = x
        self.h1 = np.tanh(x @ self.w_ih + self.b_h1)
        self.h2 = np.tanh(self.h1 @ self.w_hh + self.b_h2)
        return (self.h2 @ self.w_ho + self.b_o).ravel()

    def mse(self, x, target):
        return np.mean((self.forward(x) - target) ** 2)

    def backward(self, target):
        pred = (self.h2 @ self.w_ho + self.b_o).ravel()
        d_out = 2 * (pred - target)
        d_out = d_out[:, None]
        g = {"w_ho": self.h2.T @ d_out, "b_o": d_out.sum(axis=0)}
        d_h2 = (d_out @ self.w_ho.T) * (1 - self.h2 ** 2)
        g["w_hh"] = self.h1.T @ d_h2
        g["b_h2"] = d_h2.sum(axis=0)
        d_h1 = (d_h2 @ self.w_hh.T) * (1 - self.h1 ** 2)
        g["w_ih"] = self.x.T @ d_h1
        g["b_h1"] = d_h1.sum(axis=0)
        return g


rng = np.random.default_rng(1010)
X = rng.uniform(-2, 2, size=(12, 2))
y = np.sin(X[:, 0]) * np.cos(X[:, 1])
net = Regressor(2, 6)
params = {name: getattr(net, name) for name in ["w_ih", "b_h1", "w_hh", "b_h2", "w_ho", "b_o"]}


def loss(params, X, y):
    return net.mse(X, y)


def grads(params, X, y):
    net.forward(X)
    return net.backward(y)
