import numpy as np

# regression with two ReLU hidden layers, weights/biases kept in lists
rng = np.random.default_rng(17)
X = rng.standard_normal((10, 3))
true_w = np.array([[1.0], [-2.0], [0.5]])
y = np.sin(X @ true_w)

layer_sizes = [3, 8, 6, 1]
weights = [rng.standard_normal((a, b)) * np.sqrt(2.0 / a)
           for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]
biases = [np.full(b, 0.1) for b in layer_sizes[1:]]
params = {"w0": weights[0], "b0": biases[0],
          "w1": weights[1], "b1": biases[1],
          "w2": weights[2], "b2": biases[2]}


def relu(z):
    return np.maximum(z, 0.0)


def predict(X):
    z0 = X @ weights[0] + biases[0]
    h0 = relu(z0)
    z1 = h0 @ weights[1] + biases[1]
    h1 = relu(z1)
    return z0, h0, z1, h1, h1 @ weights[2] + biases[2]


def loss(params, X, y):
    *_, out = predict(X)
    return np.mean((out - y) ** 2)


def grads(params, X, y):
    z0, h0, z1, h1, out = predict(X)
    d_out = 2.0 * (out - y) / out.size
    g = {"w2": h1.T @ d_out, "b2": d_out.sum(axis=0)}
    d_h1 = d_out @ weights[2].T
    d_z1 = d_h1 * (z1 > 0)
    g["w1"] = h0.T @ d_z1
    g["b1"] = d_z1.sum(axis=0)
    d_h0 = d_z1 @ weights[1].T
    d_z0 = d_h0
    g["w0"] = X.T @ d_z0
    g["b0"] = d_z0.sum(axis=0)
    return g


if __name__ == "__main__":
    for step in range(2000):
        g = grads(params, X, y)
        for k in params:
            params[k] -= 0.05 * g[k]
    print("final mse", loss(params, X, y))
