"""Networks written in the styles students learn from: detected, checked and diagnosed like protocol files.

Each style has a correct fixture (passes) and a buggy twin (its `# BUG` line
holds the mistake). The layer-by-layer check must name the one broken layer.
"""

import functools
import shutil

import pytest
from helpers import FIXTURES, check_json, cli

STYLES = FIXTURES / "styles"


@functools.cache
def check(name: str, *extra: str) -> dict:
    proc, report = check_json(STYLES / name, "--no-fix", *extra)
    report["exit"] = proc.returncode
    return report


def def_line(name: str, code: str, occurrence: int = 0) -> int:
    """The line starting with `code` (found, not hard-coded, so the fixture can be edited)."""
    lines = (STYLES / name).read_text().splitlines()
    hits = [i + 1 for i, text in enumerate(lines) if text.strip().startswith(code)]
    return hits[occurrence]


def bug_line(name: str) -> int:
    lines = (STYLES / name).read_text().splitlines()
    (hit,) = [i + 1 for i, text in enumerate(lines) if "# BUG" in text]
    return hit


def rules(report: dict) -> set[str]:
    return {f["rule"] for f in report["findings"]}


def layer_findings(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["evidence"].get("layer_checks")]


def failing(report: dict) -> list[str]:
    return [p["name"] for p in report["parameters"] if p["status"] == "fail"]


CORRECT = {
    "cs231n_layers.py": "function-pairs",
    "nnfs_dense.py": "layer-objects",
    "saito_two_layer.py": "layer-objects",
    "joelnet_xor.py": "layer-objects",
    "inplace_xor.py": "layer-objects",
    "nielsen_network.py": "nielsen",
    "dlai_deep.py": "deeplearning-ai",
}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_network_in_each_style_is_detected_and_passes(name):
    report = check(name)
    assert report["adapter"] == CORRECT[name]
    assert report["exit"] == 0, report["findings"]
    assert not [f for f in report["findings"] if f["severity"] == "error"]
    assert report["parameters"] and not failing(report)


def test_mapping_shows_which_attribute_holds_each_gradient():
    assert check("nnfs_dense.py")["mapping"]["dense1.weights"] == "dense1.dweights"
    assert check("nnfs_dense.py")["mapping"]["dense2.biases"] == "dense2.dbiases"
    saito = check("saito_two_layer.py")["mapping"]
    assert saito["network.layers['Affine1'].W"] == "network.layers['Affine1'].dW"
    assert saito["loss"].startswith("network.lastLayer.forward(x, y) (SoftmaxWithLoss)")
    joelnet = check("joelnet_xor.py")["mapping"]
    assert joelnet["net.layers[2].params['w']"] == "net.layers[2].grads['w']"
    assert joelnet["batch"] == "inputs, targets"
    inplace = check("inplace_xor.py")["mapping"]
    assert inplace["network[0].weights"] == "-(step of network[0].backward(grad, lr)) / lr"
    assert inplace["loss"].startswith("mse(target, prediction), gradient mse_prime(target, prediction)")
    nielsen = check("nielsen_network.py")["mapping"]
    assert nielsen["weights[1]"] == "backprop(x, y)[1][1] (nabla_w), mean over samples"
    dlai = check("dlai_deep.py")["mapping"]
    assert dlai["W3"] == "L_model_backward(...)['dW3']"
    assert dlai["params"] == "initialize_parameters_deep([12288, 20, 7, 5, 1])"
    pairs = check("cs231n_layers.py")["mapping"]
    assert pairs["affine_backward"] == ("x -> affine_backward(dout, cache)[0], w -> affine_backward(dout, cache)[1], "
                                        "b -> affine_backward(dout, cache)[2]")


def test_whole_network_styles_are_identified_like_protocol_models():
    assert "hidden relu, head softmax-ce" in check("nnfs_dense.py")["notes"][0]
    assert "samples in columns, weights (out, in)), hidden sigmoid, head sigmoid-mse" in check(
        "nielsen_network.py")["notes"][0]
    assert "hidden relu, relu, relu, head sigmoid-bce" in check("dlai_deep.py")["notes"][0]


def test_missing_batch_and_instance_are_made_up_and_said_so():
    saito = " ".join(check("saito_two_layer.py")["notes"])
    assert "made up a batch X of shape 8x784" in saito and "one-hot labels over 10 classes" in saito
    nielsen = " ".join(check("nielsen_network.py")["notes"])
    assert "made one, Network([784, 30, 10]), with the sizes your file passes it" in nielsen
    assert "quadratic cost 1/2 ||a - y||^2" in nielsen
    dlai = " ".join(check("dlai_deep.py")["notes"])
    assert "called initialize_parameters_deep([12288, 20, 7, 5, 1]), with layers_dims" in dlai


def test_nielsen_quadratic_cost_on_one_hot_is_the_usual_warning():
    report = check("nielsen_network.py")
    assert report["status"] == "warn" and rules(report) == {"mse-for-multiclass"}


# ---------------------------------------------------------------- buggy twins


def test_cs231n_broken_sigmoid_backward_is_named_alone():
    name = "cs231n_layers_bug.py"
    report = check(name)
    assert report["exit"] == 1
    assert failing(report) == ["sigmoid_backward: dx"]
    (f,) = report["findings"]
    assert f["rule"] == "gradient-mismatch"
    assert f["evidence"]["layer_checks"] == ["sigmoid_backward"]
    assert f["line"] == def_line(name, "def sigmoid_backward")


def test_cs231n_transposed_dw_is_transposed_gradient_on_the_pairs_that_use_it():
    name = "cs231n_layers_bug_transposed.py"
    report = check(name)
    assert rules(report) == {"transposed-gradient"}
    (f,) = report["findings"]
    assert f["evidence"]["layer_checks"] == ["affine_backward", "affine_relu_backward"]
    assert f["parameters"] == ["affine_backward: dw", "affine_relu_backward: dw"]
    assert f["line"] == def_line(name, "def affine_backward")


def test_nnfs_wrong_relu_mask_is_named_on_the_relu_layer():
    name = "nnfs_dense_bug.py"
    report = check(name)
    assert report["exit"] == 1 and rules(report) == {"gradient-mismatch"}
    network = [f for f in report["findings"] if not f["evidence"].get("layer_checks")]
    assert [f["parameters"] for f in network] == [["dense1.weights", "dense1.biases"]]
    (layer,) = layer_findings(report)
    assert layer["evidence"]["layer_checks"] == ["activation1"]
    assert "activation1 (Activation_ReLU.backward)" in layer["message"]
    assert layer["line"] == def_line(name, "def backward", 1)  # the second class's backward: Activation_ReLU


def test_saito_flipped_softmax_with_loss_is_flipped_sign_on_its_line_and_on_the_loss_layer():
    name = "saito_two_layer_bug.py"
    report = check(name)
    assert report["exit"] == 1 and rules(report) == {"flipped-sign"}
    network = [f for f in report["findings"] if not f["evidence"].get("layer_checks")]
    assert [(f["layers"], f["line"]) for f in network] == [([1, 2], bug_line(name))]
    (layer,) = layer_findings(report)
    assert layer["evidence"]["layer_checks"] == ["network.lastLayer"]
    assert layer["parameters"] == ["network.lastLayer: dinput"]


def test_joelnet_transposed_weight_gradient_is_named_on_its_line_and_on_both_linear_layers():
    name = "joelnet_xor_bug.py"
    report = check(name)
    assert report["exit"] == 1 and rules(report) == {"transposed-gradient"}
    network = [f for f in report["findings"] if not f["evidence"].get("layer_checks")]
    assert [(f["layers"], f["line"]) for f in network] == [([1, 2], bug_line(name))]
    (layer,) = layer_findings(report)
    assert layer["evidence"]["layer_checks"] == ["net.layers[0]", "net.layers[2]"]
    assert layer["line"] == def_line(name, "def backward(self, grad: Tensor)", 1)  # Linear.backward


def test_inplace_bias_update_with_the_wrong_sign_is_named_on_both_dense_layers():
    name = "inplace_xor_bug.py"
    report = check(name)
    assert report["exit"] == 1 and rules(report) == {"update-ascends", "flipped-sign"}
    assert failing(report) == ["network[0].bias", "network[2].bias", "network[0]: dbias", "network[2]: dbias"]
    (layer,) = layer_findings(report)
    assert layer["rule"] == "flipped-sign"
    assert layer["evidence"]["layer_checks"] == ["network[0]", "network[2]"]
    assert layer["line"] == def_line(name, "def backward", 1)  # Dense.backward


def test_nielsen_missing_sigmoid_prime_is_missing_activation_derivative_on_layer_1():
    report = check("nielsen_network_bug.py")
    assert report["exit"] == 1
    errors = [(f["rule"], f["layers"]) for f in report["findings"] if f["severity"] == "error"]
    assert errors == [("missing-activation-derivative", [1])]
    assert failing(report) == ["weights[0]", "biases[0]"]


def test_dlai_missing_one_over_m_is_scaled_gradient_and_linear_backward_is_named():
    name = "dlai_deep_bug.py"
    report = check(name)
    assert report["exit"] == 1 and rules(report) == {"scaled-gradient"}
    assert failing(report) == ["b1", "b2", "b3", "b4", "linear_backward: db"]
    network = [f for f in report["findings"] if not f["evidence"].get("layer_checks")]
    # the one-element output bias b4 carries the same factor as the others (not a named mistake of its own)
    assert [(f["layers"], f["line"], "the batch size (8)" in f["message"]) for f in network] == [
        ([1, 2, 3, 4], bug_line(name), True)]
    (layer,) = layer_findings(report)
    assert layer["rule"] == "scaled-gradient"
    assert layer["parameters"] == ["linear_backward: db"]
    assert "4 times the true gradient" in layer["message"]  # the unit's batch of 4 columns
    assert layer["line"] == def_line(name, "def linear_backward")


def test_unfinished_network_without_loss_or_data_still_has_its_broken_layer_named():
    name = "layers_unfinished_bug.py"
    report = check(name)
    assert report["adapter"] == "layer-objects" and report["exit"] == 1
    assert any("No loss found" in n for n in report["notes"])
    assert any("made-up input of shape 8x6" in n for n in report["notes"])
    assert failing(report) == ["layers[1]: dinput", "layers[3]: dinput"]
    (f,) = report["findings"]
    assert f["rule"] == "gradient-mismatch" and f["evidence"]["layer_checks"] == ["layers[1]", "layers[3]"]
    assert "layers[1] (Sigmoid.backward)" in f["message"]
    assert f["line"] == def_line(name, "def backward", 1)  # Sigmoid.backward


# ---------------------------------------------------------------- forcing an adapter, stand-ins, init


def test_adapter_flag_forces_one_adapter():
    report = check("dlai_deep.py", "--adapter", "function-pairs")
    assert report["adapter"] == "function-pairs"
    assert {p["name"] for p in report["parameters"]} == {"relu_backward: dZ", "sigmoid_backward: dZ",
                                                         "linear_backward: dA", "linear_backward: dW",
                                                         "linear_backward: db"}
    # read as plain pairs, the course's 1/m inside linear_backward is a factor 1/4 on the unit's 4 samples;
    # the deeplearning-ai adapter (detected above) knows that convention and passes the same file
    assert report["exit"] == 1 and rules(report) == {"scaled-gradient"}
    assert failing(report) == ["linear_backward: dW", "linear_backward: db"]
    assert "0.25 times the true gradient" in report["findings"][0]["message"]
    # forced on a file without that shape: a specific finding, exit 2
    report = check("nnfs_dense.py", "--adapter", "nielsen")
    assert report["exit"] == 2
    assert report["findings"][0]["rule"] == "protocol-mismatch"
    assert "does not have the shape the nielsen adapter reads" in report["findings"][0]["message"]


def test_unknown_adapter_is_a_usage_error_listing_the_names():
    proc = cli("check", STYLES / "nnfs_dense.py", "--adapter", "keras")
    assert proc.returncode == 2
    assert "no adapter named 'keras'" in proc.stderr and "layer-objects" in proc.stderr and "nielsen" in proc.stderr


def test_a_package_that_is_not_installed_but_not_needed_gets_a_stand_in(tmp_path):
    source = (STYLES / "nnfs_dense.py").read_text().replace(
        "import numpy as np\n", "import numpy as np\nimport bpd_plotting_notinstalled.pyplot as plt\n", 1)
    copy = tmp_path / "nnfs_with_plots.py"
    copy.write_text(source)
    proc, report = check_json(copy, "--no-fix")
    assert proc.returncode == 0 and report["status"] == "pass"
    assert any("imports 'bpd_plotting_notinstalled' (line 3), which is not installed" in n for n in report["notes"])


def test_init_writes_a_shim_that_checks_once_its_todos_are_filled(tmp_path):
    user = tmp_path / "unrecognised_mlp.py"
    shutil.copy(STYLES / "unrecognised_mlp.py", user)
    proc, report = check_json(user)
    assert report["status"] == "error" and "backpropdoctor init" in (report["findings"][0]["fix"] or "")

    proc = cli("init", user)
    assert proc.returncode == 0, proc.stderr
    shim = tmp_path / "unrecognised_mlp_bpd.py"
    text = shim.read_text()
    assert "import unrecognised_mlp as user" in text
    assert "'mlp.W1': user.mlp.W1,  # 3x5 float64" in text
    assert "X = user.features" in text and "y = user.targets" in text
    assert "return user.mlp.cost(X, y)" in text
    assert "#   user.mlp.compute_gradients(X, Y)" in text

    proc, report = check_json(shim, "--no-fix")  # unfinished: the TODO says what is missing
    assert report["status"] == "error" and "TODO in unrecognised_mlp_bpd.py: return the gradients" in (
        report["findings"][0]["message"])

    todo = '    raise NotImplementedError("TODO in unrecognised_mlp_bpd.py: return the gradients")'
    shim.write_text(text.replace(todo, "    dW1, db1, dW2, db2 = user.mlp.compute_gradients(X, y)\n"
                                       '    return {"mlp.W1": dW1, "mlp.b1": db1, "mlp.W2": dW2, "mlp.b2": db2}'))
    proc, report = check_json(shim, "--no-fix")
    assert proc.returncode == 0 and report["status"] == "pass", report["findings"]
    assert [p["name"] for p in report["parameters"]] == ["mlp.W1", "mlp.b1", "mlp.W2", "mlp.b2"]

    proc = cli("init", user)  # never overwrites without --force
    assert proc.returncode == 2 and "already exists" in proc.stderr
    assert shim.read_text() != text


def test_init_on_a_recognised_file_writes_nothing(tmp_path):
    user = tmp_path / "nnfs_dense.py"
    shutil.copy(STYLES / "nnfs_dense.py", user)
    proc = cli("init", user)
    assert proc.returncode == 0 and "already recognised (the layer-objects adapter)" in proc.stdout
    assert not (tmp_path / "nnfs_dense_bpd.py").exists()


def test_loss_object_only_in_a_default_argument_is_found_and_its_flipped_sign_named():
    name = "joelnet_default_loss_bug.py"
    report = check(name)
    assert report["mapping"]["loss"].startswith("fit(loss=SquaredError()).loss(prediction, target)")
    whole = [f for f in report["findings"] if not f["evidence"].get("layer_checks")]
    assert [(f["rule"], f["line"]) for f in whole] == [("flipped-sign", bug_line(name))]
    assert report["exit"] == 1


def test_forward_propagation_layers_in_a_network_object_with_use_loss_are_checked():
    name = "aflak_network_bug.py"
    report = check(name)
    assert report["adapter"] == "layer-objects"
    assert report["mapping"]["layers"].startswith("net.layers: net.layers[0] (Dense), net.layers[1] (Activation)")
    assert report["mapping"]["loss"].startswith("net.loss(target, prediction), gradient net.loss_prime(target, ")
    errors = {(f["rule"], f["line"]) for f in report["findings"] if f["severity"] == "error"}
    assert ("flipped-sign", bug_line(name)) in errors  # the one-number loss pair, checked on a few samples together
    assert report["exit"] == 1


def test_cs231n_model_built_in_main_with_data_in_a_dict_is_checked_as_a_whole_network():
    report = check("cs231n_model_in_main_bug.py")
    assert report["adapter"] == "model-object"  # not the layer functions alone
    assert report["mapping"]["batch"] == "data['X_train'], data['y_train']"
    assert report["notes"][0].startswith("Recognised network: 3 dense layers")  # (N, 2, 4) images flattened
    [finding] = [f for f in report["findings"] if f["severity"] == "error"]
    assert (finding["rule"], finding["layers"]) == ("missing-activation-derivative", [1])
    # affine_backward is right alone: the line is the call that feeds it the gradient before the ReLU's
    assert finding["line"] == bug_line("cs231n_model_in_main_bug.py")
    assert report["exit"] == 1


def test_dlai_softmax_network_built_under_the_main_guard_is_checked_on_its_own_sizes_and_data():
    report = check("dlai_softmax_in_main.py")
    assert report["mapping"]["batch"] == "X_train, Y_train"  # not a made-up batch for default sizes
    assert report["notes"][0].startswith("Recognised network: 2 dense layers")
    assert "head softmax-ce" in report["notes"][0]
    assert report["exit"] == 0 and not failing(report), report["findings"]


def test_nnfs_layers_with_l2_regularizers_are_checked_against_the_loss_with_its_penalty():
    report = check("nnfs_l2_regularized.py")
    assert report["mapping"]["regularization"] == "loss_function.regularization_loss(layer) of dense1, dense2"
    assert report["exit"] == 0 and not report["findings"], report["findings"]  # whole network and each layer
    buggy = check("nnfs_l2_regularized_bug.py")
    [finding] = buggy["findings"]
    assert (finding["rule"], finding["layers"]) == ("regularization-gradient", [1, 2])
    assert buggy["exit"] == 1


def test_wrong_derivative_helper_of_an_activation_layer_is_named_on_its_own_line():
    name = "joelnet_activation_prime_bug.py"
    report = check(name)
    [helper] = [f for f in layer_findings(report) if "softplus_prime" in f["evidence"]["layer_checks"]]
    assert (helper["rule"], helper["line"]) == ("gradient-mismatch", bug_line(name))
    assert "softplus_prime (derivative of softplus, used by net_layers[1])" in helper["message"]
    whole = [f for f in report["findings"] if not f["evidence"].get("layer_checks")]
    assert [(f["rule"], f["line"], f["layers"]) for f in whole] == [("gradient-mismatch", bug_line(name), [1])]
    assert failing(report) and report["exit"] == 1


def test_missing_mask_inside_a_course_helper_is_named_in_the_helper_not_its_caller():
    name = "dlai_relu_backward_bug.py"
    report = check(name)
    whole = [f for f in report["findings"] if not f["evidence"].get("layer_checks")]
    assert [(f["rule"], f["line"], f["layers"]) for f in whole] == [
        ("missing-activation-derivative", bug_line(name), [1, 2, 3])]
    [helper] = layer_findings(report)
    assert helper["evidence"]["layer_checks"] == ["relu_backward"]


def test_softmax_jacobian_on_top_of_a_combined_loss_gradient_is_named_in_the_loss_backward():
    name = "nnfs_softmax_loss_bug.py"
    report = check(name)
    whole = [f for f in report["findings"] if not f["evidence"].get("layer_checks")]
    # the softmax layer is right alone; the loss layer, found wrong alone, computed what it was given
    assert [(f["rule"], f["line"], f["layers"]) for f in whole] == [("softmax-jacobian", bug_line(name), [2])]
    [loss_check] = layer_findings(report)
    assert loss_check["evidence"]["layer_checks"] == ["loss_function"]


def test_nielsen_flipped_cost_derivative_is_named_in_cost_derivative_not_in_backprop():
    name = "nielsen_cost_derivative_bug.py"
    report = check(name)
    assert {(f["rule"], f["line"]) for f in report["findings"]} == {("flipped-sign", bug_line(name))}
    [alone] = layer_findings(report)
    assert alone["evidence"]["layer_checks"] == ["cost_derivative"]


def test_last_sample_bias_in_a_per_sample_loop_is_bias_gradient_after_training_at_import():
    name = "nnfs_per_sample_bias_bug.py"
    report = check(name)
    assert "dense3 (Layer_Dense)" in report["mapping"]["layers"] and "layer (" not in report["mapping"]["layers"]
    whole = [f for f in report["findings"] if not f["evidence"].get("layer_checks")]
    assert [(f["rule"], f["line"], f["layers"]) for f in whole] == [("bias-gradient", bug_line(name), [1, 2, 3])]


def test_derivative_taken_of_the_activation_is_named_where_the_derivative_is_taken():
    name = "nielsen_prime_of_activation_bug.py"
    report = check(name)
    assert [(f["rule"], f["line"], f["layers"]) for f in report["findings"]] == [
        ("activation-derivative-wrong-tensor", bug_line(name), [1, 2])]  # sp = sigmoid_prime(a), not delta = ... * sp
