"""Measurement next to the user's code: arrays are put back exactly, side effects are seen."""

import textwrap


from backpropdoctor.adapters import load
from backpropdoctor.measure import measure

ALIASED = '''
import numpy as np

class Net:
    def __init__(self):
        rng = np.random.default_rng(3)
        self.W = rng.normal(size=(4, 3)) * 0.5
        self.b = np.zeros(3)

    def forward(self, X):
        return np.tanh(X @ self.W + self.b)

net = Net()
params = {"W": net.W, "b": net.b}          # the same arrays the object uses
rng = np.random.default_rng(4)
X = rng.normal(size=(5, 4))
y = rng.normal(size=(5, 3))

def loss(params, X, y):
    return float(np.mean((net.forward(X) - y) ** 2))

def grads(params, X, y):
    out = net.forward(X)
    dz = 2 * (out - y) / out.size * (1 - out ** 2)
    {mutation}
    return {"W": X.T @ dz, "b": dz.sum(axis=0)}
'''


def write(tmp_path, mutation="pass"):
    path = tmp_path / "net.py"
    path.write_text(textwrap.dedent(ALIASED).replace("{mutation}", mutation))
    return str(path)


def test_arrays_aliased_by_the_users_object_are_checked_and_restored_bit_for_bit(tmp_path):
    model = load(write(tmp_path))
    W, b = model.params["W"], model.params["b"]
    before = (W.tobytes(), b.tobytes())
    m = measure(model)
    assert model.params["W"] is W and model.params["b"] is b
    assert (W.tobytes(), b.tobytes()) == before
    assert m["mutations"] == []
    assert m["restored_after_probing"] == []


def test_a_gradient_function_that_updates_params_is_caught_and_undone(tmp_path):
    model = load(write(tmp_path, mutation='params["W"] -= 0.1'))
    W = model.params["W"]
    before = W.tobytes()
    m = measure(model)
    assert m["mutations"] == [{"by": "grads(params, X, y)", "parameters": ["W"]}]
    assert W.tobytes() == before
