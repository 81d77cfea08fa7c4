import numpy as np

# samples are the COLUMNS of X: X is (features, samples)
rng = np.random.default_rng(21)
D, H1, H2, K, N = 5, 7, 6, 4, 12
X = rng.standard_normal((D, N))
y = rng.integers(0, K, size=N)

params = {
    "A1": rng.standard_normal((H1, D)) / np.sqrt(D), "c1": np.zeros((H1, 1)),
    "A2": rng.standard_normal((H2, H1)) / np.sqrt(H1), "c2": np.zeros((H2, 1)),
    "A3": rng.standard_normal((K, H2)) / np.sqrt(H2), "c3": np.zeros((K, 1)),
}


def softmax_cols(Z):
    Z = Z - Z.max(axis=0, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=0, keepdims=True)


def _fwd(P, X):
    T1 = np.tanh(P["A1"] @ X + P["c1"])
    T2 = np.tanh(P["A2"] @ T1 + P["c2"])
    S = softmax_cols(P["A3"] @ T2 + P["c3"])
    return T1, T2, S


def loss(P, X, y):
    _, _, S = _fwd(P, X)
    n = X.shape[1]
    return -np.log(S[y, np.arange(n)]).mean()


def grads(P, X, y):
    T1, T2, S = _fwd(P, X)
    n = X.shape[1]
    Y = np.zeros_like(S)
    Y[y, np.arange(n)] = 1.0
    G3 = (S - Y) / n
    G3 = S * (G3 - np.sum(S * G3, axis=0, keepdims=True))
    G2 = (P["A3"].T @ G3) * (1.0 - T2 ** 2)
    G1 = (P["A2"].T @ G2) * (1.0 - T1 ** 2)
    return {
        "A3": G3 @ T2.T, "c3": G3.sum(axis=1, keepdims=True),
        "A2": G2 @ T1.T, "c2": G2.sum(axis=1, keepdims=True),
        "A1": G1 @ X.T, "c1": G1.sum(axis=1, keepdims=True),
    }


def update(P, G, lr):
    for key in P:
        P[key] -= lr * G[key]
