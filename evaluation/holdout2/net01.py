"""Sigmoid network with a quadratic cost, trained one sample at a time."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


class Network:
    def __init__(self, sizes, seed=1):
        rng = np.random.default_rng(seed)
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [rng.normal(size=(n, 1)) * 0.5 for n in sizes[1:]]
        self.weights = [rng.normal(size=(n, m)) / np.sqrt(m)
                        for m, n in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(w @ a + b)
        return a

    def cost(self, xs, ys):
        total = 0.0
        for x, y in zip(xs, ys):
            total += 0.5 * np.sum((self.feedforward(x) - y) ** 2)
        return total / len(xs)

    def trace(self, x):
        activations, zs = [x], []
        for b, w in zip(self.biases, self.weights):
            z = w @ activations[-1] + b
            zs.append(z)
            activations.append(sigmoid(z))
        return activations, zs

    def gradient(self, xs, ys):
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        for x, y in zip(xs, ys):
            activations, zs = self.trace(x)
            delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
            nabla_w[-1] += delta @ activations[-2].T
            nabla_b[-1] += delta
            for l in range(2, self.num_layers):
                delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])
                nabla_w[-l] += delta @ activations[-l - 1].T
                nabla_b[-l] = delta
        n = len(xs)
        return [nb / n for nb in nabla_b], [nw / n for nw in nabla_w]


rng = np.random.default_rng(11)
X = rng.normal(size=(9, 4))
y = rng.uniform(0.1, 0.9, size=(9, 3))
net = Network([4, 6, 3], seed=3)

params = {"w0": net.weights[0], "b0": net.biases[0],
          "w1": net.weights[1], "b1": net.biases[1]}


def _columns(X, y):
    return [x.reshape(-1, 1) for x in X], [t.reshape(-1, 1) for t in y]


def loss(params, X, y):
    return net.cost(*_columns(X, y))


def grads(params, X, y):
    nabla_b, nabla_w = net.gradient(*_columns(X, y))
    return {"w0": nabla_w[0], "b0": nabla_b[0], "w1": nabla_w[1], "b1": nabla_b[1]}
