import numpy as np

# Ng-style: bias folded into Theta as its first column, one-vs-all sigmoid outputs
rs = np.random.default_rng(1212)
n_in, n_hid, n_lab, m = 4, 5, 3, 12
Theta1 = rs.standard_normal((n_hid, n_in + 1)) / np.sqrt(n_in + 1)
Theta2 = rs.standard_normal((n_lab, n_hid + 1)) / np.sqrt(n_hid + 1)
params = {"Theta1": Theta1, "Theta2": Theta2}
lam = 0.3

X = rs.standard_normal((m, n_in))
y = rs.integers(0, n_lab, size=m)


def g(z):
    return 1.0 / (1.0 + np.exp(-z))


def _add_ones(A):
    return np.hstack([np.ones((A.shape[0], 1)), A])


def loss(params, X, y):
    T1, T2 = params["Theta1"], params["Theta2"]
    a2 = g(_add_ones(X) @ T1.T)
    h = g(_add_ones(a2) @ T2.T)
    Yk = np.eye(T2.shape[0])[y]
    J = -np.sum(Yk * np.log(h) + (1 - Yk) * np.log(1 - h)) / X.shape[0]
    J += lam / (2 * X.shape[0]) * (np.sum(T1[:, 1:] ** 2) + np.sum(T2[:, 1:] ** 2))
    return J


def grads(params, X, y):
    T1, T2 = params["Theta1"], params["Theta2"]
    mm = X.shape[0]
    a1 = _add_ones(X)
    z2 = a1 @ T1.T
    a2 = _add_ones(g(z2))
    h = g(a2 @ T2.T)
    Yk = np.eye(T2.shape[0])[y]
    delta3 = h - Yk
    delta2 = (delta3 @ T2[:, 1:]) * g(z2) * (1 - g(z2))
    Theta2_grad = delta3.T @ a2 / mm
    Theta1_grad = delta2.T @ a1 / mm
    Theta2_grad[:, 1:] += lam / mm * T2[:, 1:]
    Theta1_grad[:, 1:] += lam / mm * T1[:, 1:]
    return {"Theta1": Theta1_grad, "Theta2": Theta2_grad}


def update(params, grads, alpha):
    params["Theta1"] -= alpha * grads["Theta1"]
    params["Theta2"] -= alpha * grads["Theta2"]
