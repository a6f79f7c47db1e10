#!/usr/bin/env python3
"""Writes a binary ONNX model with named nodes of unsupported ops.

  make_unsupported.py OUT.onnx [--many]

Two nodes of the unsupported op Mod ('mod_a', 'mod_b'), one NonZero
('nonzero'), one node in a custom domain (com.example.Fancy, 'fancy') and
supported ops around them. With --many: a chain of seven Mod nodes
('mod_0' ... 'mod_6'), more than the error message names. The textual
ONNX parser of onnx 1.12 cannot name nodes, hence this script.
"""
import sys

import onnx
from onnx import TensorProto, helper

nodes = [
    helper.make_node("Relu", ["x"], ["r"], name="relu"),
    helper.make_node("Mod", ["r", "x"], ["m1"], name="mod_a"),
    helper.make_node("Mod", ["m1", "x"], ["m2"], name="mod_b"),
    helper.make_node("NonZero", ["m2"], ["nz"], name="nonzero"),
    helper.make_node("Fancy", ["m2"], ["f"], name="fancy", domain="com.example"),
    helper.make_node("Add", ["m2", "f"], ["y"], name="add"),
]
if "--many" in sys.argv[2:]:
    nodes = [helper.make_node("Mod", ["x" if i == 0 else f"m{i - 1}", "x"], [f"m{i}"],
                              name=f"mod_{i}") for i in range(7)]
    nodes.append(helper.make_node("Identity", ["m6"], ["y"], name="id"))
outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])]
if "--many" not in sys.argv[2:]:
    outputs.append(helper.make_tensor_value_info("nz", TensorProto.INT64, [2, None]))
graph = helper.make_graph(
    nodes, "unsupported",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])], outputs)
model = helper.make_model(
    graph, opset_imports=[helper.make_opsetid("", 17),
                          helper.make_opsetid("com.example", 1)])
model.ir_version = 8
onnx.save(model, sys.argv[1])
