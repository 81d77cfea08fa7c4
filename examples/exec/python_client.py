"""A network that speaks backpropdoctor's exec protocol (docs/exec-protocol.md): a template to translate.

    backpropdoctor check --exec "python examples/exec/python_client.py"

A 2-layer classifier (tanh hidden layer, softmax + cross-entropy, mean
over the batch) on a fixed batch of 6 samples. Everything the protocol
needs is in `serve()`: the hello, then one reply per command, on stdout,
flushed. `--flip-sign` serves a copy with the classic sign bug (output
error written `onehot - probs`), to see what the report says about it.
"""

import sys

import numpy as np

FLIP_SIGN = "--flip-sign" in sys.argv

rng = np.random.default_rng(3)
X = rng.normal(size=(6, 3))
y = np.array([0, 1, 2, 1, 0, 2])
params = {
    "W1": rng.normal(size=(3, 5)) / np.sqrt(3), "b1": np.zeros(5),
    "W2": rng.normal(size=(5, 3)) / np.sqrt(5), "b2": np.zeros(3),
}


def forward(X):
    h = np.tanh(X @ params["W1"] + params["b1"])
    logits = h @ params["W2"] + params["b2"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return h, e / e.sum(axis=1, keepdims=True)


def loss():
    _, probs = forward(X)
    return -np.mean(np.log(probs[np.arange(len(y)), y]))


def grads():
    h, probs = forward(X)
    onehot = np.eye(probs.shape[1])[y]
    dlogits = (onehot - probs if FLIP_SIGN else probs - onehot) / len(y)
    dh = (dlogits @ params["W2"].T) * (1 - h ** 2)
    return {"W1": X.T @ dh, "b1": dh.sum(axis=0), "W2": h.T @ dlogits, "b2": dlogits.sum(axis=0)}


def numbers(values) -> str:
    """One tensor as one line, row-major; repr round-trips a float64 exactly."""
    return " ".join(repr(float(v)) for v in np.ravel(values))


def reply(*lines: str) -> None:
    sys.stdout.write("".join(line + "\n" for line in lines))
    sys.stdout.flush()


def serve() -> None:
    reply("backpropdoctor 1", *(f"param {name} {' '.join(map(str, p.shape))}" for name, p in params.items()),
          f"input {X.shape[0]} {X.shape[1]}", f"target {len(y)}", "end")
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command = words[0]
        try:
            if command == "params":
                reply(*(numbers(p) for p in params.values()))
            elif command == "batch":
                reply(numbers(X), numbers(y))
            elif command == "set":
                target = params[words[1]]
                target[...] = np.array(words[2:], dtype=float).reshape(target.shape)
                reply("ok")
            elif command == "set1":
                params[words[1]].flat[int(words[2])] = float(words[3])
                reply("ok")
            elif command == "loss":
                reply(repr(float(loss())))
            elif command == "grads":
                g = grads()
                reply(*(numbers(g[name]) for name in params))
            elif command == "quit":
                return
            else:
                reply(f"error unknown command {command}")
        except (KeyError, IndexError, ValueError) as exc:
            reply(f"error {command}: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    serve()
