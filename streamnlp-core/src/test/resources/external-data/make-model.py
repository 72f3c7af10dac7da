"""Writes a tiny ONNX classifier whose weights live in an external data file beside it, as the ONNX exports of
large models do (model.onnx + model.onnx.data): ModelLoadFailureTest checks that such a model directory loads.

    python make-model.py   (needs the onnx package; the files it writes are committed)

The graph: input_ids [B,T] int64 -> Mod 16 -> Gather from a [16,4] table -> mean over T -> MatMul [4,3] -> logits;
attention_mask [B,T] is taken, as a BERT-style model's would be, and unused.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(13)
table = numpy_helper.from_array(rng.standard_normal((16, 4)).astype(np.float32), "table")
weights = numpy_helper.from_array(rng.standard_normal((4, 3)).astype(np.float32), "weights")
sixteen = numpy_helper.from_array(np.array(16, dtype=np.int64), "sixteen")
graph = helper.make_graph(
    [
        helper.make_node("Mod", ["input_ids", "sixteen"], ["bucket"]),
        helper.make_node("Gather", ["table", "bucket"], ["embedded"], axis=0),
        helper.make_node("ReduceMean", ["embedded"], ["pooled"], axes=[1], keepdims=0),
        helper.make_node("MatMul", ["pooled", "weights"], ["logits"]),
    ],
    "external-data-classifier",
    [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
     helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])],
    initializer=[table, weights, sixteen],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="streamnlp-test")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save_model(model, os.path.join(here, "model.onnx"), save_as_external_data=True, all_tensors_to_one_file=True,
                location="model.onnx.data", size_threshold=0)
