"""ONNX's own backend node tests for the operators LSTMScope evaluates around LSTM nodes (docs/IMPORT.md
"Operators evaluated outside the LSTM"), regenerated from the case generators Debian's python3-onnx ships
(onnx/backend/test/case/node/*.py; the package has no test data). Each case is written as ONNX's test
data is laid out: OUT/<case>/model.onnx, input_<k>.pb and output_<k>.pb. Cases whose values are not
tensors (sequences, optionals) are not written; the C++ test (onnx_eval_test.cpp) lists which of the
written cases are refused and why.

usage: /usr/bin/python3 make_onnx_node_cases.py OUT
"""
import importlib
import os
import sys

import numpy as np

np.float = float  # bernoulli.py and a few others still use the alias numpy 1.24 removed

import onnx  # noqa: E402
import onnx.backend.test.case.node as node_cases  # noqa: E402
from onnx import numpy_helper  # noqa: E402

OUT = sys.argv[1]
MODULES = ("abs add averagepool batchnorm cast clip concat constantofshape conv div exp expand flatten gather "
           "gemm identity if leakyrelu log lstm matmul maxpool mul neg pad pow reducemax reducemean reducesum relu "
           "reshape shape sigmoid size slice softmax split sqrt squeeze sub tanh transpose unsqueeze").split()

for module in MODULES:
    importlib.import_module("onnx.backend.test.case.node." + module)

written = 0
os.makedirs(OUT, exist_ok=True)
for case in node_cases._NodeTestCases:
    inputs, outputs = case.data_sets[0]
    arrays = list(inputs) + list(outputs)
    if not all(isinstance(a, (np.ndarray, np.generic)) for a in arrays):
        continue  # sequence and optional values: not tensors
    directory = os.path.join(OUT, case.name)
    os.makedirs(directory, exist_ok=True)
    onnx.save(case.model, os.path.join(directory, "model.onnx"))
    graph = case.model.graph
    for k, (value, info) in enumerate(zip(inputs, graph.input)):
        with open(os.path.join(directory, "input_%d.pb" % k), "wb") as f:
            f.write(numpy_helper.from_array(np.asarray(value), info.name).SerializeToString())
    for k, (value, info) in enumerate(zip(outputs, graph.output)):
        with open(os.path.join(directory, "output_%d.pb" % k), "wb") as f:
            f.write(numpy_helper.from_array(np.asarray(value), info.name).SerializeToString())
    written += 1
print("wrote", written, "node cases to", OUT)

# ---- Hostile graphs: each must be refused with the words in expected_error.txt (named node, attribute or
# input), never computed wrongly, never a crash or a hang.
from onnx import TensorProto, helper as oh  # noqa: E402


def hostile(name, nodes, inputs, expected, outputs=("y",), feeds=None, initializers=()):
    directory = os.path.join(OUT, "hostile_" + name)
    os.makedirs(directory, exist_ok=True)
    graph = oh.make_graph(nodes, name, [oh.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in inputs],
                          [oh.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs],
                          list(initializers))
    onnx.save(oh.make_model(graph, opset_imports=[oh.make_opsetid("", 13)]), os.path.join(directory, "model.onnx"))
    for k, value in enumerate(feeds if feeds is not None else [np.ones((1, 2, 8), np.float32)] * len(inputs)):
        with open(os.path.join(directory, "input_%d.pb" % k), "wb") as f:
            f.write(numpy_helper.from_array(value, inputs[k]).SerializeToString())
    with open(os.path.join(directory, "expected_error.txt"), "w") as f:
        f.write(expected)


weight = numpy_helper.from_array(np.ones((3, 2, 2), np.float32), "w")
hostile("conv_auto_pad", [oh.make_node("Conv", ["x", "w"], ["y"], name="conv_1", auto_pad="FOO")], ["x"],
        "node conv_1 (Conv): auto_pad FOO", initializers=[weight])
hostile("conv_groups", [oh.make_node("Conv", ["x", "w"], ["y"], name="conv_2", group=3)], ["x"],
        "node conv_2 (Conv): its weight [3, 2, 2] does not fit 2 channels in 3 groups", initializers=[weight])
hostile("unknown_operator", [oh.make_node("Erf", ["x"], ["y"], name="erf_1")], ["x"],
        "node erf_1 (Erf): the evaluator does not compute Erf")
hostile("other_domain", [oh.make_node("FusedConv", ["x"], ["y"], name="fused", domain="com.microsoft")], ["x"],
        "node fused (FusedConv): belongs to the operator domain com.microsoft")
branch = oh.make_graph([oh.make_node("Identity", ["x"], ["z"])], "branch", [],
                       [oh.make_tensor_value_info("z", TensorProto.FLOAT, None)])
hostile("if_undecided", [oh.make_node("If", ["cond"], ["y"], name="choose_rate", then_branch=branch,
                                      else_branch=branch)], ["x", "cond"],
        "the graph input cond is not given", feeds=[np.ones((1, 2, 8), np.float32)])
hostile("if_condition_not_scalar", [oh.make_node("If", ["x"], ["y"], name="choose", then_branch=branch,
                                                 else_branch=branch)], ["x"],
        "node choose (If): its condition has 16 values, not one")
deep = branch
for level in range(20):
    deep = oh.make_graph([oh.make_node("If", ["c"], ["z"], then_branch=deep, else_branch=branch)], "level%d" % level,
                         [], [oh.make_tensor_value_info("z", TensorProto.FLOAT, None)])
hostile("if_nested", [oh.make_node("Constant", [], ["c"], value=numpy_helper.from_array(np.array(True), "c")),
                      oh.make_node("If", ["c"], ["y"], then_branch=deep, else_branch=deep)], ["x"],
        "If branches nest more than 16 deep")
hostile("reshape_impossible", [oh.make_node("Reshape", ["x", "s"], ["y"], name="to_rows")], ["x"],
        "node to_rows (Reshape): cannot reshape [1, 2, 8] to [3, 5]",
        initializers=[numpy_helper.from_array(np.array([3, 5], np.int64), "s")])
hostile("gather_outside", [oh.make_node("Gather", ["x", "i"], ["y"], name="pick", axis=2)], ["x"],
        "node pick (Gather): index 9 is outside axis 2 of length 8",
        initializers=[numpy_helper.from_array(np.array([9], np.int64), "i")])
hostile("constant_of_huge_shape", [oh.make_node("ConstantOfShape", ["s"], ["y"], name="zeros")], ["x"],
        "node zeros (ConstantOfShape): a tensor of shape [1000000, 1000000, 1000000] is too large",
        initializers=[numpy_helper.from_array(np.array([10**6] * 3, np.int64), "s")])
hostile("slice_step_zero", [oh.make_node("Slice", ["x", "a", "b", "axes", "step"], ["y"], name="cut")], ["x"],
        "node cut (Slice): a step is 0",
        initializers=[numpy_helper.from_array(np.array([v], np.int64), n)
                      for n, v in (("a", 0), ("b", 4), ("axes", 2), ("step", 0))])
hostile("undefined_input", [oh.make_node("Relu", ["nowhere"], ["y"], name="act")], ["x"],
        "node act (Relu): reads nowhere, which nothing before it computes")
hostile("dropout_training", [oh.make_node("Dropout", ["x", "", "t"], ["y"], name="drop")], ["x"],
        "node drop (Dropout): runs in training mode",
        initializers=[numpy_helper.from_array(np.array(True), "t")])
hostile("matmul_budget", [oh.make_node("ConstantOfShape", ["sa"], ["a"]), oh.make_node("ConstantOfShape", ["sb"], ["b"]),
                          oh.make_node("MatMul", ["a", "b"], ["y"], name="huge")], ["x"],
        "node huge (MatMul): needs 6.87e+10 multiply-adds",
        initializers=[numpy_helper.from_array(np.array([4096, 1, 4096], np.int64), "sa"),
                      numpy_helper.from_array(np.array([1, 4096, 4096], np.int64), "sb")])
print("wrote the hostile graphs")
