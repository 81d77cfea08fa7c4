"""Numbers decide the diagnosis: renaming every identifier of a model file changes no verdict."""

import builtins
import io
import keyword
import re
import tokenize
from pathlib import Path

import pytest
from helpers import check_json

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
PROTOCOL = {"params", "init_params", "loss", "grads", "loss_and_grads", "train_step", "update", "X", "y", "batch",
            "model", "np", "numpy", "self", "__name__"}


def rename_everything(source: str, keys: set[str]) -> str:
    """Rename every user identifier (and the parameter keys) to meaningless names.

    Names used as attributes anywhere (methods, self.x), keyword arguments,
    builtins, keywords and the names the protocol itself requires are kept;
    comments are emptied.
    """
    names: dict[str, str] = {}
    out = []
    depth = 0
    in_def = False  # inside a def's parameter list, `name=default` is a parameter, not a keyword argument
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    attributes = {tok.string for prev, tok in zip(tokens, tokens[1:]) if prev.string == "." and tok.type == tokenize.NAME}
    for i, tok in enumerate(tokens):
        text = tok.string
        if tok.type == tokenize.NAME and text in ("def", "lambda"):
            in_def = True
        if tok.type == tokenize.OP:
            depth += text in "([{"
            depth -= text in ")]}"
            if text == ":" and depth == 0:
                in_def = False
        elif tok.type == tokenize.NAME:
            prev = tokens[i - 1].string if i else ""
            nxt = tokens[i + 1].string if i + 1 < len(tokens) else ""
            keyword_argument = depth > 0 and nxt == "=" and prev in ("(", ",") and not in_def
            if not (keyword.iskeyword(text) or text in PROTOCOL or hasattr(builtins, text) or prev == "."
                    or text in attributes or keyword_argument):
                text = names.setdefault(text, f"v{len(names)}")
        elif tok.type == tokenize.COMMENT:
            text = "#"
        elif tok.type == tokenize.STRING and text.strip("\"'") in keys:
            text = repr("k_" + str(sorted(keys).index(text.strip("\"'"))))
        out.append(tok._replace(string=text))
    # Names inside f-string fields, with the mapping now complete.
    for i, tok in enumerate(out):
        if tok.type == tokenize.STRING and tok.string[:1] in "fF":
            text = re.sub(r"\{([A-Za-z_]\w*)", lambda m: "{" + names.get(m.group(1), m.group(1)), tok.string)
            out[i] = tok._replace(string=text)
    return tokenize.untokenize(out)


def check(path: Path) -> dict:
    return check_json(path)[1]


def verdict(report: dict) -> list[tuple]:
    return sorted((f["rule"], f["severity"], tuple(f["layers"]), f["line"], f["evidence"].get("variant"),
                   len(f["parameters"]), f["verified"]) for f in report["findings"])


@pytest.mark.parametrize("name", ["seed002_softmax_jacobian.py", "seed003_reduced_batch.py",
                                  "seed004_wrong_tensor.py", "rules/l2_missing.py"])
def test_renaming_every_identifier_keeps_the_diagnosis(tmp_path, name):
    original = FIXTURES / name
    keys = {"W1", "b1", "W2", "b2", "W3", "b3", "w_1", "b_1", "w_2", "b_2"}
    source = original.read_text()
    renamed = rename_everything(source, keys)
    assert renamed != source
    for key in keys & set(source.replace("'", '"').split('"')):
        assert f'"{key}"' not in renamed and f"'{key}'" not in renamed
    copy = tmp_path / original.name
    copy.write_text(renamed)
    before, after = check(original), check(copy)
    assert before["status"] == "fail"
    assert verdict(after) == verdict(before)
    assert [p["status"] for p in after["parameters"]] == [p["status"] for p in before["parameters"]]
