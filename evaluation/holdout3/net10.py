import numpy as np

rng = np.random.default_rng(1010)
widths = [4, 6, 6, 3]
layer_list = []
for fan_in, fan_out in zip(widths[:-1], widths[1:]):
    layer_list.append([rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in),
                       np.zeros(fan_out)])

params = {}
for idx, (Wt, bs) in enumerate(layer_list, start=1):
    params["W%d" % idx] = Wt
    params["b%d" % idx] = bs

X = rng.standard_normal((10, 4))
y = rng.integers(0, 3, size=10)


def logistic(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward(params, X):
    a1 = logistic(X @ params["W1"] + params["b1"])
    a2 = logistic(a1 @ params["W2"] + params["b2"])
    s = a2 @ params["W3"] + params["b3"]
    s = s - s.max(axis=1, keepdims=True)
    pr = np.exp(s)
    return a1, a2, pr / pr.sum(axis=1, keepdims=True)


def loss(params, X, y):
    _, _, pr = forward(params, X)
    return -np.log(pr[np.arange(len(y)), y]).mean()


def grads(params, X, y):
    a1, a2, pr = forward(params, X)
    n = len(y)
    d3 = pr.copy()
    d3[np.arange(n), y] -= 1.0
    d3 /= n
    g = {"W3": a2.T @ d3, "b3": d3.sum(axis=0)}
    da2 = d3 @ params["W3"].T
    d2 = da2 * a2 * (1 - a2)
    g["W2"] = d2.T @ a1
    g["b2"] = d2.sum(axis=0)
    da1 = d2 @ params["W2"].T
    d1 = da1 * a1 * (1 - a1)
    g["W1"] = X.T @ d1
    g["b1"] = da1.sum(axis=0)
    return g
