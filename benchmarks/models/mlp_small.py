"""Small benchmark model: the same ReLU MLP family, 784-64-32-10, batch 32.

About 52.6k parameters: small enough that scipy.optimize.check_grad (one
forward-difference loss call per parameter) finishes in roughly 10-30 s, so
the benchmark can time scipy for real on it. The network code is the big
model's (imported from the file beside this one); only SIZES differs.
"""
import numpy as np

from mlp_784_256_128_10 import grads, init_params, loss  # noqa: F401  (loss and grads: the protocol)

SIZES = (784, 64, 32, 10)
BATCH = 32

rng = np.random.default_rng(0)
params = init_params(SIZES, rng)
X = rng.standard_normal((BATCH, SIZES[0]))
y = rng.integers(0, SIZES[-1], size=BATCH)  # integer class labels
