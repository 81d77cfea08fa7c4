import numpy as np
from typing import Dict, Iterator, Sequence

Tensor = np.ndarray


class Layer:
    def __init__(self) -> None:
        self.params: Dict[str, Tensor] = {}
        self.grads: Dict[str, Tensor] = {}

    def forward(self, inputs: Tensor) -> Tensor:
        raise NotImplementedError

    def backward(self, grad: Tensor) -> Tensor:
        raise NotImplementedError


class Linear(Layer):
    def __init__(self, input_size: int, output_size: int) -> None:
        super().__init__()
        self.params["w"] = np.random.randn(input_size, output_size) / np.sqrt(input_size)
        self.params["b"] = np.random.randn(output_size) * 0.1

    def forward(self, inputs: Tensor) -> Tensor:
        self.inputs = inputs
        return inputs @ self.params["w"] + self.params["b"]

    def backward(self, grad: Tensor) -> Tensor:
        self.grads["b"] = np.sum(grad, axis=0)
        self.grads["w"] = self.inputs.T @ grad
        return grad @ self.params["w"].T


class Activation(Layer):
    def __init__(self, f, f_prime) -> None:
        super().__init__()
        self.f = f
        self.f_prime = f_prime

    def forward(self, inputs: Tensor) -> Tensor:
        self.inputs = inputs
        return self.f(inputs)

    def backward(self, grad: Tensor) -> Tensor:
        return self.f_prime(self.inputs) * grad


def tanh(x: Tensor) -> Tensor:
    return np.tanh(x)


def tanh_prime(x: Tensor) -> Tensor:
    y = tanh(x)
    return 1 - y ** 2


def relu(x: Tensor) -> Tensor:
    return np.maximum(x, 0)


def relu_prime(x: Tensor) -> Tensor:
    return np.where(x > 0, x, 0)  # BUG: derivative of relu should be 1 where x > 0, not x


class Tanh(Activation):
    def __init__(self):
        super().__init__(tanh, tanh_prime)


class Relu(Activation):
    def __init__(self):
        super().__init__(relu, relu_prime)


class Loss:
    def loss(self, predicted: Tensor, actual: Tensor) -> float:
        raise NotImplementedError

    def grad(self, predicted: Tensor, actual: Tensor) -> Tensor:
        raise NotImplementedError


class MSE(Loss):
    def loss(self, predicted: Tensor, actual: Tensor) -> float:
        return np.sum((predicted - actual) ** 2)

    def grad(self, predicted: Tensor, actual: Tensor) -> Tensor:
        return 2 * (predicted - actual)


class NeuralNet:
    def __init__(self, layers: Sequence[Layer]) -> None:
        self.layers = layers

    def forward(self, inputs: Tensor) -> Tensor:
        for layer in self.layers:
            inputs = layer.forward(inputs)
        return inputs

    def backward(self, grad: Tensor) -> Tensor:
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def params_and_grads(self) -> Iterator:
        for layer in self.layers:
            for name, param in layer.params.items():
                grad = layer.grads[name]
                yield param, grad


class SGD:
    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr

    def step(self, net: NeuralNet) -> None:
        for param, grad in net.params_and_grads():
            param -= self.lr * grad


# fizzbuzz-ish toy: 4 binary digits -> one-hot of (n % 2 == 0, n % 3 == 0)
def binary_encode(x: int) -> list:
    return [x >> i & 1 for i in range(4)]


np.random.seed(4)
inputs = np.array([binary_encode(x) for x in range(1, 16)], dtype=float)
targets = np.array([[x % 2 == 0, x % 3 == 0] for x in range(1, 16)], dtype=float)

net = NeuralNet([
    Linear(input_size=4, output_size=8),
    Tanh(),
    Linear(input_size=8, output_size=6),
    Relu(),
    Linear(input_size=6, output_size=2),
])

loss = MSE()
optimizer = SGD(lr=0.005)

for epoch in range(200):
    predicted = net.forward(inputs)
    epoch_loss = loss.loss(predicted, targets)
    grad = loss.grad(predicted, targets)
    net.backward(grad)
    optimizer.step(net)
    if epoch % 50 == 0:
        print(epoch, epoch_loss)
