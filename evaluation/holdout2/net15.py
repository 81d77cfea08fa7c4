import numpy as np

rng = np.random.default_rng(1515)
X = rng.normal(size=(12, 5))
y = rng.integers(0, 3, size=12)


def init_params(rng):
    return {
        "Wa": rng.normal(size=(5, 6)) * np.sqrt(2 / 5), "ba": np.full(6, 0.05),
        "Wb": rng.normal(size=(6, 6)) * np.sqrt(2 / 6), "bb": np.full(6, 0.05),
        "Wc": rng.normal(size=(6, 3)) * np.sqrt(1 / 6), "bc": np.zeros(3),
    }


params = init_params(rng)


def forward(params, X):
    Za = X @ params["Wa"] + params["ba"]
    Ha = np.maximum(Za, 0)
    Zb = Ha @ params["Wb"] + params["bb"]
    Hb = np.maximum(Zb, 0)
    scores = Hb @ params["Wc"] + params["bc"]
    scores -= scores.max(axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= probs.sum(axis=1, keepdims=True)
    return Za, Ha, Zb, Hb, probs


def loss(params, X, y):
    probs = forward(params, X)[-1]
    return -np.mean(np.log(probs[np.arange(len(y)), y]))


def grads(params, X, y):
    Za, Ha, Zb, Hb, probs = forward(params, X)
    dscores = probs
    dscores[np.arange(len(y)), y] -= 1
    dscores /= len(y)
    dWc = Hb.T @ dscores
    dbc = dscores.sum(axis=0)
    dZb = (dscores @ params["Wc"].T) * (Zb > 0)
    dWb = dZb.T @ Ha
    dbb = dZb.sum(axis=0)
    dZa = (dZb @ params["Wb"].T) * (Za > 0)
    dWa = X.T @ dZa
    dba = dZa.sum(axis=0)
    return {"Wa": dWa, "ba": dba, "Wb": dWb, "bb": dbb, "Wc": dWc, "bc": dbc}


def update(params, grads, lr):
    for k in params:
        params[k] += lr * grads[k]
