import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_derivative(x):
    return sigmoid(x) * (1.0 - sigmoid(x))


class NeuralNetwork:
    """Make-your-own-neural-network style: weights (out, in), one sample at a time."""

    def __init__(self, inputnodes, hiddennodes, outputnodes, seed=5):
        rng = np.random.default_rng(seed)
        self.w_ih = rng.normal(0.0, inputnodes ** -0.5, (hiddennodes, inputnodes))
        self.w_ho = rng.normal(0.0, hiddennodes ** -0.5, (outputnodes, hiddennodes))
        self.params = {"w_ih": self.w_ih, "w_ho": self.w_ho}

    def query(self, x):
        hidden_outputs = sigmoid(self.w_ih @ x)
        return hidden_outputs, self.w_ho @ hidden_outputs

    def cost(self, inputs, targets):
        total = 0.0
        for x, t in zip(inputs, targets):
            _, out = self.query(x)
            total += 0.5 * np.sum((out - t) ** 2)
        return total / len(inputs)

    def gradients(self, inputs, targets):
        g_ih = np.zeros_like(self.w_ih)
        g_ho = np.zeros_like(self.w_ho)
        for x, t in zip(inputs, targets):
            hidden_outputs, out = self.query(x)
            output_errors = out - t
            hidden_errors = self.w_ho.T @ output_errors
            hidden_grad = hidden_errors * sigmoid_derivative(hidden_outputs)
            g_ho += np.outer(output_errors, hidden_outputs)
            g_ih += np.outer(hidden_grad, x)
        n = len(inputs)
        return {"w_ih": g_ih / n, "w_ho": g_ho / n}


net = NeuralNetwork(4, 5, 2)
rng = np.random.default_rng(50)
X = rng.normal(size=(7, 4))
y = rng.normal(size=(7, 2))
params = net.params


def loss(params, X, y):
    return net.cost(X, y)


def grads(params, X, y):
    return net.gradients(X, y)
