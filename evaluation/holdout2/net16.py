import numpy as np

rng = np.random.default_rng(1616)
X = rng.normal(size=(10, 2))
y = (X[:, :1] ** 2 - X[:, 1:]) * 0.5          # (10, 1) regression targets

params = {
    "hidden_w": rng.normal(size=(2, 8)) * np.sqrt(2 / 2),
    "hidden_b": np.full((1, 8), 0.01),
    "out_w": rng.normal(size=(8, 1)) * np.sqrt(1 / 8),
    "out_b": np.zeros((1, 1)),
}
SLOPE = 0.2


def forward(params, X):
    z = X @ params["hidden_w"] + params["hidden_b"]
    h = np.where(z > 0, z, SLOPE * z)
    return z, h, h @ params["out_w"] + params["out_b"]


def loss(params, X, y):
    return 0.5 * np.mean((forward(params, X)[2] - y) ** 2)


def train_step(params, X, y, lr):
    z, h, out = forward(params, X)
    d_out = (out - y) / len(X)
    g_out_w = h.T @ d_out
    g_out_b = d_out.sum(axis=0, keepdims=True)
    d_z = (d_out @ params["out_w"].T) * np.where(z > 0, 1.0, SLOPE)
    g_hidden_w = X.T @ d_z
    g_hidden_b = d_z.sum(axis=0, keepdims=True)
    params["out_w"] += lr * g_out_w
    params["out_b"] += lr * g_out_b
    params["hidden_w"] += lr * g_hidden_w
    params["hidden_b"] += lr * g_hidden_b


if __name__ == "__main__":
    for epoch in range(300):
        train_step(params, X, y, 0.1)
    print(loss(params, X, y))
