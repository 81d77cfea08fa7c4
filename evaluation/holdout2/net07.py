import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_gradient(z):
    g = sigmoid(z)
    return g * (1 - g)


def rand_initialize_weights(L_in, L_out, rng):
    epsilon_init = np.sqrt(6) / np.sqrt(L_in + L_out)
    return rng.uniform(-epsilon_init, epsilon_init, size=(L_out, 1 + L_in))


def nn_cost_function(Theta1, Theta2, X, Y, lam):
    m = X.shape[0]
    J = 0.0
    Theta1_grad = np.zeros(Theta1.shape)
    Theta2_grad = np.zeros(Theta2.shape)
    for t in range(m):
        a1 = np.concatenate(([1.0], X[t]))
        z2 = Theta1 @ a1
        a2 = np.concatenate(([1.0], sigmoid(z2)))
        z3 = Theta2 @ a2
        a3 = sigmoid(z3)
        J += -np.sum(Y[t] * np.log(a3) + (1 - Y[t]) * np.log(1 - a3))
        delta3 = a3 - Y[t]
        delta2 = sigmoid_gradient(Theta2[:, 1:].T @ delta3)
        Theta1_grad += np.outer(delta2, a1)
        Theta2_grad += np.outer(delta3, a2)
    J = J / m + lam / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    Theta1_grad /= m
    Theta2_grad /= m
    Theta1_grad[:, 1:] += lam / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lam / m * Theta2[:, 1:]
    return J, Theta1_grad, Theta2_grad


input_layer_size, hidden_layer_size, num_labels = 4, 5, 3
rng = np.random.default_rng(707)
X = rng.normal(size=(8, input_layer_size))
y = (rng.uniform(size=(8, num_labels)) < 0.4).astype(float)
lambda_ = 1.0
params = {
    "Theta1": rand_initialize_weights(input_layer_size, hidden_layer_size, rng),
    "Theta2": rand_initialize_weights(hidden_layer_size, num_labels, rng),
}


def loss_and_grads(params, X, y):
    J, g1, g2 = nn_cost_function(params["Theta1"], params["Theta2"], X, y, lambda_)
    return J, {"Theta1": g1, "Theta2": g2}
