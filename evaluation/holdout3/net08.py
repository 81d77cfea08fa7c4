import numpy as np

# multi-label tagger: 3 independent sigmoid outputs, binary cross-entropy
rnd = np.random.default_rng(88)
X = rnd.standard_normal((10, 5))
y = (X[:, :3] + 0.3 * rnd.standard_normal((10, 3)) > 0).astype(float)

params = {
    "enc_w": rnd.standard_normal((5, 7)) / np.sqrt(5),
    "enc_b": np.zeros(7),
    "dec_w": rnd.standard_normal((7, 3)) / np.sqrt(7),
    "dec_b": np.zeros(3),
}


def _logistic(t):
    return 1.0 / (1.0 + np.exp(-t))


def loss(params, X, y):
    hid = _logistic(X @ params["enc_w"] + params["enc_b"])
    P = _logistic(hid @ params["dec_w"] + params["dec_b"])
    bce = y * np.log(P) + (1 - y) * np.log(1 - P)
    return -bce.sum() / X.shape[0]


def grads(params, X, y):
    n = X.shape[0]
    hid = _logistic(X @ params["enc_w"] + params["enc_b"])
    P = _logistic(hid @ params["dec_w"] + params["dec_b"])
    err = (y - P) / n
    d_hid = (err @ params["dec_w"].T) * hid * (1 - hid)
    return {
        "dec_w": hid.T @ err,
        "dec_b": err.sum(axis=0),
        "enc_w": X.T @ d_hid,
        "enc_b": d_hid.sum(axis=0),
    }
