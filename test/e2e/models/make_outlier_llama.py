#!/usr/bin/env python3
"""Derive llama_outliers.onnx from llama.onnx: systematic activation outliers.

Real LLMs have a few hidden channels whose activations are 30-100x larger
than the rest, in every layer, because the RMSNorm weights of those channels
are large (and the weights reading them are correspondingly small). This
scales channels 3, 11 and 27 of every input/post-attention RMSNorm weight by
40 and divides the matching input rows of the Q/K/V and gate/up weights by
40: the float model computes the same function as llama.onnx, but the
inputs of those linears carry the outliers, so per-tensor int8 activation
scales waste almost all levels, which is what SmoothQuant fixes. Also
writes calibration and held-out input sets (token ids, fixed seeds).

Needs only numpy and onnx (python3 test/e2e/models/make_outlier_llama.py).
"""
import os

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUTLIER_CHANNELS = [3, 11, 27]
FACTOR = 40.0


def main():
    model = onnx.load(os.path.join(HERE, "llama.onnx"))
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}

    def scale(name, fn):
        w = fn(numpy_helper.to_array(inits[name]).copy())
        inits[name].CopyFrom(numpy_helper.from_array(w, name))

    def consumers(value):
        return [n for n in graph.node if value in n.input]

    scaled = 0
    for name in inits:
        if not name.endswith("layernorm.weight"):
            continue
        scale(name, lambda w: (w.__setitem__(OUTLIER_CHANNELS,
                                             w[OUTLIER_CHANNELS] * FACTOR), w)[1])
        # The norm's output (Mul by the weight, maybe Cast) feeds MatMuls
        # with constant [K, N] weights: divide their rows.
        frontier = [o for n in consumers(name) for o in n.output]
        while frontier:
            value = frontier.pop()
            for node in consumers(value):
                if node.op_type == "Cast":
                    frontier.extend(node.output)
                elif node.op_type == "MatMul" and node.input[1] in inits:
                    def fix(w):
                        w[OUTLIER_CHANNELS, :] /= FACTOR
                        return w
                    scale(node.input[1], fix)
                    scaled += 1
    assert scaled == 10, f"expected 10 projections after the norms, got {scaled}"
    onnx.save(model, os.path.join(HERE, "llama_outliers.onnx"))
    for name, seed, samples in (("calib", 1, 16), ("heldout", 2, 8)):
        rng = np.random.default_rng(seed)
        np.savez(os.path.join(HERE, f"llama_outliers.{name}.npz"),
                 input_ids=rng.integers(0, 100, (samples, 1, 8), dtype=np.int64),
                 attention_mask=np.ones((samples, 1, 8), dtype=np.int64))


if __name__ == "__main__":
    main()
