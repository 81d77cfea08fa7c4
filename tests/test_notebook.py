"""Notebooks: a student's .ipynb is checked as its code cells, and every finding names the cell and line."""

import json
import re
import textwrap

import pytest
from helpers import FIXTURES, check_json, cli

from backpropdoctor.adapters.loader import PROTOCOL_NAMES
from backpropdoctor.adapters.notebook import NotebookError, to_script

NOTEBOOKS = FIXTURES / "notebooks"

NETWORK = '''
import numpy as np

rng = np.random.default_rng(1)
X = rng.standard_normal((12, 3))
y = rng.integers(0, 2, size=12)
params = {"W": rng.standard_normal((3, 2)) * 0.5, "b": np.zeros(2)}


def loss(params, X, y):
    s = X @ params["W"] + params["b"]
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return -np.log(p[np.arange(len(y)), y]).mean()


def grads(params, X, y):
    s = X @ params["W"] + params["b"]
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    p /= len(y)
    return {"W": X.T @ p, "b": p.sum(axis=0)}
'''


def notebook(*cells: str, markdown_first: bool = True) -> dict:
    """An nbformat-4 notebook: a markdown title, then one code cell per text (sources as lists, as Jupyter saves)."""
    made = [{"cell_type": "markdown", "metadata": {}, "source": ["# Lab\n"]}] if markdown_first else []
    for text in cells:
        made.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                     "source": textwrap.dedent(text).strip("\n").splitlines(keepends=True)})
    return {"cells": made, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def write(tmp_path, name: str, nb: dict):
    path = tmp_path / name
    path.write_text(json.dumps(nb, indent=1))
    return path


def only_finding(report: dict) -> dict:
    assert len(report["findings"]) == 1, report["findings"]
    return report["findings"][0]


def test_buggy_homework_names_the_rule_cell_and_line():
    proc, report = check_json(NOTEBOOKS / "hw3_wrong_derivative.ipynb")
    assert proc.returncode == 1, proc.stderr
    f = only_finding(report)
    assert (f["rule"], f["layer"], f["cell"], f["line"]) == ("activation-derivative-wrong-tensor", 1, 10, 10)
    assert f["file"].endswith("hw3_wrong_derivative.ipynb")
    excerpt = {s["line"]: s["text"] for s in f["source"]}
    assert excerpt[10].strip().startswith("dz1 = dh * tanh_prime(h)")  # the cell's own line 10, as written
    assert excerpt[9].strip() == 'dh = dscores @ params["W2"].T'
    # The fix was verified on a copy of the notebook with the edited cell, and the patch is written per cell.
    assert f["verified"] is True
    assert f["patch"].splitlines()[2:] == [
        "@@ cell 10 -9,3 +9,3 @@",
        '     dh = dscores @ params["W2"].T',
        "-    dz1 = dh * tanh_prime(h)   # BUG: f' of the activation, not of z1",
        "+    dz1 = dh * tanh_prime(z1)   # BUG: f' of the activation, not of z1",
        "     dW1 = X.T @ dz1"]
    assert any("`!pip install -q numpy matplotlib`" in n and "`%matplotlib inline`" in n for n in report["notes"])
    # The training and loss-plot cells come after cell 11 (update), so the check starts from the initial parameters:
    # the cross-entropy of 3 classes near ln 3, not the trained 0.06 the notebook's own output shows.
    assert any(n.startswith("Notebook: cells 13, 14 not run: cell 11 is the last") for n in report["notes"])
    assert report["loss"] > 0.9


def test_training_cell_that_ascends_does_not_hide_the_bug(tmp_path):
    """A flipped sign makes the notebook's training cell climb until softmax overflows; that cell is not run."""
    nb = json.loads((NOTEBOOKS / "hw3_fixed.ipynb").read_text())
    grads_cell = nb["cells"][9]
    text = "".join(grads_cell["source"]).replace("dscores = probs.copy()\n    dscores[np.arange(n), y] -= 1",
                                                 "dscores = -probs.copy()\n    dscores[np.arange(n), y] += 1")
    grads_cell["source"] = text.splitlines(keepends=True)
    proc, report = check_json(write(tmp_path, "hw3_flipped.ipynb", nb), "--no-fix")
    assert proc.returncode == 1
    f = only_finding(report)
    assert (f["rule"], f["cell"], f["line"]) == ("flipped-sign", 10, 5)


def test_cells_run_up_to_the_last_that_binds_a_name_the_check_reads():
    nb = notebook("import numpy as np\nX = np.ones((4, 2))",
                  "losses = []\nfor epoch in range(9):\n    for k in params:\n        params[k] -= 0.1",  # trains
                  "def grads(params, X, y):\n    return {}",
                  "plt.plot(losses)",
                  "for step in range(3):\n    params = train(params)",  # rebinds params: these are the params
                  "print(accuracy(params, X, y))")
    script = to_script(nb, PROTOCOL_NAMES)
    assert (script.last_binding, script.not_run) == (6, [7])
    assert to_script(nb).not_run == []  # without the names, every cell runs
    assert to_script(notebook("from mynet import *", "plt.show()"), PROTOCOL_NAMES).not_run == [3]
    assert to_script(notebook("X = 1", "y = (", "z = 2"), PROTOCOL_NAMES).not_run == [4]  # a broken cell runs


def test_buggy_homework_terminal_shows_cell_and_line():
    proc = cli("check", "fixtures/notebooks/hw3_wrong_derivative.ipynb", env={"NO_COLOR": "1", "COLUMNS": "120",
                                                                         "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 1
    assert "at fixtures/notebooks/hw3_wrong_derivative.ipynb cell 10, line 10" in proc.stdout
    assert ">   10 |     dz1 = dh * tanh_prime(h)" in proc.stdout


def test_fixed_homework_passes_with_its_magics_and_data_plot():
    proc, report = check_json(NOTEBOOKS / "hw3_fixed.ipynb")
    assert proc.returncode == 0, proc.stdout
    assert report["status"] == "pass" and report["findings"] == []
    assert [p["name"] for p in report["parameters"]] == ["W1", "b1", "W2", "b2"]


def test_ipython_lines_become_pass_and_keep_the_line_map():
    nb = notebook("%matplotlib inline\nimport numpy as np",
                  "for i in range(2):\n    !echo hi\nfiles = !ls\nget_ipython().run_line_magic('env', '')\n"
                  "text = '''\n%not a magic inside a string\n'''\nx = 7 % 3\nnp.dot?",
                  "%%time\nraise RuntimeError('a cell magic cell must not run')")
    script = to_script(nb)
    assert script.text.splitlines() == ["pass", "import numpy as np", "for i in range(2):", "    pass", "pass", "pass",
                                        "text = '''", "%not a magic inside a string", "'''", "x = 7 % 3", "pass"]
    assert script.where(4) == (3, 2) and script.where(1) == (2, 1) and script.where(12) is None
    assert [(c, n) for c, n, _ in script.left_out] == [(2, 1), (3, 2), (3, 3), (3, 4), (3, 9)]
    assert script.skipped == [(4, "%%time")]
    compile(script.text, "nb", "exec")


def test_magics_are_left_out_when_checked(tmp_path):
    nb = notebook("%load_ext autoreload\n%autoreload 2\n!pip install numpy", NETWORK,
                  "%%capture\nraise RuntimeError('cell magic ran')",
                  "display(X.shape)\nif True:\n    %time loss(params, X, y)\nX = X[:8]\ny = y[:8]")
    proc, report = check_json(write(tmp_path, "lab.ipynb", nb))
    assert proc.returncode == 0, report
    assert report["status"] == "pass"
    notes = " ".join(report["notes"])
    assert "cell 4 was not run: it starts with the cell magic %%capture" in notes
    assert "cell 2 line 1 `%load_ext autoreload`" in notes and "cell 5 line 3 `%time loss(params, X, y)`" in notes


def test_error_at_load_names_the_cell(tmp_path):
    nb = notebook(NETWORK, "scale = 0.5\nfor name in params:\n    params[name] = params[name] * scal\nX = X[:6]")
    proc, report = check_json(write(tmp_path, "typo.ipynb", nb))
    assert proc.returncode == 2
    f = only_finding(report)
    assert (f["rule"], f["cell"], f["line"]) == ("import-error", 3, 3)
    assert "NameError" in f["message"]
    assert [s["text"] for s in f["source"]] == ["scale = 0.5", "for name in params:",
                                               "    params[name] = params[name] * scal", "X = X[:6]"]


def test_syntax_error_names_the_cell(tmp_path):
    nb = notebook("import numpy as np", 'print "loss:", 1.0')
    proc, report = check_json(write(tmp_path, "py2.ipynb", nb))
    assert proc.returncode == 2
    f = only_finding(report)
    assert (f["rule"], f["cell"], f["line"]) == ("syntax-error", 3, 1)


def test_merge_conflict_is_a_malformed_notebook():
    proc, report = check_json(NOTEBOOKS / "hw3_merge_conflict.ipynb")
    assert proc.returncode == 2 and report["status"] == "error"
    f = only_finding(report)
    assert f["rule"] == "malformed-notebook"
    assert "not valid JSON" in f["message"] and "line 94, column 1" in f["message"]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("data, words", [
    ([1, 2], "holds a JSON list"),
    ({"nbformat": 3, "worksheets": []}, "old notebook format 3"),
    ({"nbformat": 4, "metadata": {}}, "has no `cells` list"),
    ({"nbformat": 4, "cells": ["print(1)"]}, "cell 1 is not a cell"),
    ({"nbformat": 4, "cells": [{"cell_type": "code", "source": 5}]}, "cell 1 has a `source` of type int"),
])
def test_malformed_notebooks_say_what_is_wrong(data, words):
    with pytest.raises(NotebookError, match=words):
        to_script(data)


def test_old_format_notebook_exits_2(tmp_path):
    proc, report = check_json(write(tmp_path, "old.ipynb", {"nbformat": 3, "worksheets": [{"cells": []}]}))
    assert proc.returncode == 2
    f = only_finding(report)
    assert f["rule"] == "malformed-notebook" and "format 4" in f["message"]


def test_long_training_cell_times_out_naming_the_cell():
    proc, report = check_json(NOTEBOOKS / "lab2_trains_at_load.ipynb", "--timeout", "3")
    assert proc.returncode == 2
    f = only_finding(report)
    # The cell defines params, loss and grads, then trains: it runs, loop and all. Stopped in the loop (lines 15-18).
    assert (f["rule"], f["cell"]) == ("timeout", 4) and 15 <= f["line"] <= 18
    assert f"it was still running the notebook, at cell 4, line {f['line']}" in f["message"]
    if f["line"] == 16:  # stopped inside grads(), defined higher up in the same cell: both are named
        assert re.search(r"in grads\(\) at cell 4, line 1[0-2]\)", f["message"])
    assert f["fix"].startswith("Cell 4 was still running when the check stopped")


@pytest.mark.parametrize("change", ["own cell", "main guard"])
def test_timeout_advice_works(tmp_path, change):
    """Both remedies the timeout names let the check through, while Jupyter would still train."""
    nb = json.loads((NOTEBOOKS / "lab2_trains_at_load.ipynb").read_text())
    cell = nb["cells"][3]
    definitions, loop = cell["source"][:13], cell["source"][14:]
    assert loop[0].startswith("for epoch in range")
    if change == "own cell":
        cell["source"] = definitions
        nb["cells"].insert(4, {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                               "source": loop})
    else:
        cell["source"] = definitions + ['\nif __name__ == "__main__":\n'] + ["    " + line for line in loop]
    proc, report = check_json(write(tmp_path, "lab2_changed.ipynb", nb), "--timeout", "30")
    assert proc.returncode == 0, report["findings"]
    assert report["status"] == "pass"
