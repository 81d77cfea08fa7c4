"""The numerical core on functions whose derivatives we know exactly."""

import numpy as np
import pytest

from backpropdoctor.numerics.compare import compare
from backpropdoctor.numerics.finite_diff import FLOAT32, FLOAT64, directional_derivative, precision_for, probe
from backpropdoctor.numerics.signatures import named_scale, regularization_fit, scale_fit
from backpropdoctor.numerics.structure import infer_layers, layer_of


def quadratic_setup(dtype=np.float64):
    rng = np.random.default_rng(1)
    w = rng.normal(size=(3, 4)).astype(dtype)
    A = rng.normal(size=(3, 4))

    def loss():
        return float(np.sum(A * w.astype(np.float64) ** 2) + np.sum(np.sin(w.astype(np.float64))))

    def true_grad():
        return 2 * A * w + np.cos(w.astype(np.float64))

    return w, loss, true_grad


def test_probe_agrees_on_a_smooth_function_and_restores_bit_for_bit():
    w, loss, grad = quadratic_setup()
    before = w.tobytes()
    g = grad()
    base = loss()
    for i in range(w.size):
        p = probe(loss, w, i, g, base, FLOAT64)
        assert not p.kink
        assert abs(p.analytic - p.numeric) <= 1e-7 * max(1.0, abs(p.numeric))
    assert w.tobytes() == before


def test_probe_on_a_noncontiguous_view_restores_the_parent_array():
    parent = np.arange(24, dtype=np.float64).reshape(4, 6) / 7.0
    view = parent[:, ::2]
    snapshot = parent.tobytes()

    def loss():
        return float(np.sum(view ** 3))

    g = 3 * view ** 2
    for i in range(view.size):
        p = probe(loss, view, i, g, loss(), FLOAT64)
        assert abs(p.analytic - p.numeric) < 1e-5 * max(1, abs(p.numeric))
    direction = np.ones(view.shape) / np.sqrt(view.size)
    probe(loss, view, direction, g, loss(), FLOAT64)
    assert parent.tobytes() == snapshot


def test_a_flipped_gradient_is_not_mistaken_for_a_kink():
    w, loss, grad = quadratic_setup()
    p = probe(loss, w, 0, -grad(), loss(), FLOAT64)
    assert not p.kink
    assert p.analytic == pytest.approx(-p.numeric, rel=1e-6)


def relu_sum_setup(x0):
    x = np.array([x0, 1.0, -1.0])

    def loss():
        return float(np.sum(np.maximum(x, 0.0)))

    return x, loss


def test_a_point_on_the_kink_is_reported_as_a_kink_when_analytic_lies_between_the_slopes():
    x, loss = relu_sum_setup(0.0)
    g = np.array([0.0, 1.0, 0.0])  # relu'(0) = 0 by convention
    p = probe(loss, x, 0, g, loss(), FLOAT64)
    assert p.kink
    assert sorted([p.forward, p.backward]) == pytest.approx([0.0, 1.0], abs=1e-6)


def test_a_wrong_value_at_a_kink_is_still_a_mismatch():
    x, loss = relu_sum_setup(0.0)
    g = np.array([-1.0, 1.0, 0.0])  # outside [0, 1]: a real bug
    p = probe(loss, x, 0, g, loss(), FLOAT64)
    assert not p.kink


def test_a_kink_near_the_point_is_resolved_by_a_smaller_step():
    x, loss = relu_sum_setup(2e-6)  # within the first step, outside a step eight times smaller
    g = np.array([1.0, 1.0, 0.0])
    p = probe(loss, x, 0, g, loss(), FLOAT64)
    assert not p.kink
    assert p.numeric == pytest.approx(1.0, rel=1e-6)


def test_float32_parameters_get_float32_steps_and_still_agree():
    w, loss, grad = quadratic_setup(np.float32)
    assert precision_for(w.dtype) is FLOAT32
    base = loss()
    probes = [probe(loss, w, i, grad(), base, FLOAT32) for i in range(w.size)]
    result = compare(w.shape, np.arange(w.size), probes, [], np.zeros(w.size), base, FLOAT32)
    assert result.passed
    assert precision_for(np.float64, np.float64) is FLOAT64


def test_compare_reports_cosine_norm_ratio_and_worst_elements():
    w, loss, grad = quadratic_setup()
    base = loss()
    wrong = grad()
    wrong[1, 2] *= 3.0
    probes = [probe(loss, w, i, wrong, base, FLOAT64) for i in range(w.size)]
    result = compare(w.shape, np.arange(w.size), probes, [], w.ravel(), base, FLOAT64)
    assert not result.passed
    assert result.worst[0]["index"] == [1, 2]
    assert result.worst[0]["analytic"] == pytest.approx(3 * result.worst[0]["numeric"], rel=1e-6)
    assert 0 < result.cosine < 1


def test_near_zero_gradients_agree_thanks_to_the_absolute_floor():
    x = np.array([0.3])

    def loss():
        return 1.0 + 1e-14 * float(x[0])

    p = probe(loss, x, 0, np.array([0.0]), loss(), FLOAT64)
    result = compare(x.shape, np.arange(1), [p], [], x, loss(), FLOAT64)
    assert result.passed


def test_scale_and_regularization_fits():
    rng = np.random.default_rng(2)
    n = rng.normal(size=40)
    p = rng.normal(size=40)
    assert scale_fit(-n, n).coefficient == pytest.approx(-1)
    assert scale_fit(-n, n).fits()
    assert scale_fit(32 * n, n).coefficient == pytest.approx(32)
    assert not scale_fit(rng.normal(size=40), n).fits()
    fit = regularization_fit(n - 0.01 * p, n, p)
    assert fit.fits() and fit.coefficient == pytest.approx(-0.01)
    assert named_scale(32.0, 32) == "the batch size (32)"
    assert named_scale(1 / 32, 32) == "1/batch size (1/32)"
    assert named_scale(0.5, 32) == "1/2"
    assert named_scale(3.7, 32) is None


def test_directional_derivative_sign_tells_descent_from_ascent():
    w, loss, grad = quadratic_setup()
    g = grad()
    assert directional_derivative(loss, [w], [-g], FLOAT64) < 0
    assert directional_derivative(loss, [w], [g], FLOAT64) > 0


def test_layers_follow_the_chain_of_widths_not_the_names():
    layers = infer_layers({"q_first": (4, 6), "a": (6,), "z_out": (6, 3), "b": (3,)}, input_width=4)
    assert [lay.weight for lay in layers] == ["q_first", "z_out"]
    assert layer_of(layers, "a") == 1 and layer_of(layers, "b") == 2
    # Defined output-first: the chain from the input width still orders them.
    layers = infer_layers({"z_out": (6, 3), "b": (3,), "q_first": (4, 6), "a": (6,)}, input_width=4)
    assert layer_of(layers, "q_first") == 1 and layer_of(layers, "z_out") == 2


def test_layers_with_samples_in_columns():
    layers = infer_layers({"W1": (6, 4), "b1": (6, 1), "W2": (3, 6), "b2": (3, 1)}, input_width=4)
    assert [(lay.fan_in, lay.fan_out) for lay in layers] == [(4, 6), (6, 3)]
    assert layer_of(layers, "b2") == 2


def test_row_biases_shaped_1_by_n_and_a_single_output_unit():
    layers = infer_layers({"A": (3, 8), "c": (1, 8), "B": (8, 1), "d": (1, 1)}, input_width=3)
    assert [(lay.weight, lay.biases) for lay in layers] == [("A", ["c"]), ("B", ["d"])]


def test_a_single_output_weight_is_not_taken_for_a_bias():
    layers = infer_layers({"W1": (4, 6), "b1": (6,), "W2": (6, 1), "b2": (1,)}, input_width=4)
    assert [(lay.weight, lay.biases) for lay in layers] == [("W1", ["b1"]), ("W2", ["b2"])]
    layers = infer_layers({"W1": (6, 4), "b1": (6, 1), "W2": (1, 6), "b2": (1, 1)}, input_width=4)
    assert [(lay.weight, lay.biases) for lay in layers] == [("W1", ["b1"]), ("W2", ["b2"])]
