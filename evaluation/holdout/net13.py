import numpy as np

ALPHA = 0.01   # leaky ReLU slope


class BinaryMLP:
    def __init__(self, n_in, n_hidden, rng):
        self.W1 = rng.normal(size=(n_in, n_hidden)) * np.sqrt(2.0 / n_in)
        self.b1 = np.zeros((1, n_hidden))
        self.W2 = rng.normal(size=(n_hidden, 1)) / np.sqrt(n_hidden)
        self.b2 = np.zeros((1, 1))

    def forward(self, X):
        self.z1 = X @ self.W1 + self.b1
        self.a1 = np.where(self.z1 > 0, self.z1, ALPHA * self.z1)
        logits = self.a1 @ self.W2 + self.b2
        self.p = 1.0 / (1.0 + np.exp(-logits))
        return self.p

    def bce(self, X, t):
        p = self.forward(X)
        return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))

    def backward(self, X, t):
        p = self.forward(X)
        n = X.shape[0]
        dlogits = (p - t) / n
        dW2 = self.a1.T @ dlogits
        db2 = dlogits.sum(axis=0, keepdims=True)
        da1 = dlogits @ self.W2.T
        db1 = da1.sum(axis=0, keepdims=True)
        dz1 = da1 * np.where(self.z1 > 0, 1.0, ALPHA)
        dW1 = X.T @ dz1
        return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


rng = np.random.default_rng(4)
X = rng.normal(size=(11, 6))
y = (X[:, :1] + 0.5 * X[:, 1:2] > 0).astype(float)
net = BinaryMLP(6, 5, rng)
params = {"W1": net.W1, "b1": net.b1, "W2": net.W2, "b2": net.b2}


def loss(params, X, y):
    return net.bce(X, y)


def grads(params, X, y):
    return net.backward(X, y)


if __name__ == "__main__":
    for epoch in range(300):
        g = grads(params, X, y)
        for k in params:
            params[k] -= 0.3 * g[k]
    print(loss(params, X, y))
