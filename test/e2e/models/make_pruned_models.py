#!/usr/bin/env python3
"""Derive structurally pruned models from bert.onnx and llama.onnx.

Zeroes whole FFN neurons the two ways structured pruning leaves them:
  - layer 0: rows 5, 17, 40 of the down projection ([64, 32]);
  - layer 1: columns 2, 9 of the up projection (and its bias, BERT) or of
    the gate projection (Llama, SwiGLU).
and, in BERT, attention head 1 of layer 0 (rows 16-31 of its output
projection). The results are bert_pruned.onnx and llama_pruned.onnx;
llmo-compile must remove those neurons and the head (fewer parameters) with
bit-identical outputs.
Needs only numpy and onnx.
"""
import os

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def ffn_weights(graph, inits):
    """(up-like [32, 64] MatMul weights, down [64, 32] weights) in order."""
    ups, downs = [], []
    for node in graph.node:
        if node.op_type == "MatMul" and node.input[1] in inits:
            shape = tuple(inits[node.input[1]].dims)
            if shape == (32, 64):
                ups.append(node)
            elif shape == (64, 32):
                downs.append(node)
    return ups, downs


def attention_outputs(graph, inits):
    """Output projections: MatMuls with a weight reading a Reshape."""
    producer = {o: n for n in graph.node for o in n.output}
    return [n for n in graph.node
            if n.op_type == "MatMul" and n.input[1] in inits
            and n.input[0] in producer
            and producer[n.input[0]].op_type == "Reshape"]


def prune(name, zero_head):
    model = onnx.load(os.path.join(HERE, f"{name}.onnx"))
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}

    def edit(init_name, fn):
        w = numpy_helper.to_array(inits[init_name]).copy()
        fn(w)
        inits[init_name].CopyFrom(numpy_helper.from_array(w, init_name))

    ups, downs = ffn_weights(graph, inits)
    assert len(downs) == 2, downs
    edit(downs[0].input[1], lambda w: w.__setitem__(([5, 17, 40], slice(None)), 0))
    # Layer 1's first up-like projection (the gate for SwiGLU exports).
    layer1 = ups[len(ups) // 2]
    edit(layer1.input[1], lambda w: w.__setitem__((slice(None), [2, 9]), 0))
    for node in graph.node:  # its bias, if an Add of an initializer follows
        if node.op_type == "Add" and layer1.output[0] in node.input:
            for i in node.input:
                if i in inits and tuple(inits[i].dims) == (64,):
                    edit(i, lambda b: b.__setitem__([2, 9], 0))
    if zero_head:
        output = attention_outputs(graph, inits)[0]
        edit(output.input[1], lambda w: w.__setitem__((slice(16, 32), slice(None)), 0))
    onnx.save(model, os.path.join(HERE, f"{name}_pruned.onnx"))


if __name__ == "__main__":
    prune("bert", zero_head=True)
    prune("llama", zero_head=False)
