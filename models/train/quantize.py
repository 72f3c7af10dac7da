"""Weight-only int8 storage for ONNX models: shrinks the committed file about 4x without quantizing any
activation, so a message's result never depends on its batch-mates (dynamic activation quantization does).

Each large float initializer becomes int8 + per-channel scale + a DequantizeLinear node. ONNX Runtime
folds those nodes back into float weights at load time when the session sets
session.disable_quant_qdq=1 (the manifest's sessionOptions), so inference runs float32 kernels.
Written by hand: onnxruntime.quantization, which does this, is a PyPI package this recipe cannot install.
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper

MIN_ELEMENTS = 16384


def quantize_weights(src, dst):
    model = onnx.load(src)
    graph = model.graph
    consumers = {}
    for node in graph.node:
        for i, name in enumerate(node.input):
            consumers.setdefault(name, []).append((node.op_type, i))
    new_inits, new_nodes, kept = [], [], []
    for init in graph.initializer:
        array = numpy_helper.to_array(init)
        uses = consumers.get(init.name, [])
        if array.dtype != np.float32 or array.ndim != 2 or array.size < MIN_ELEMENTS or not uses:
            kept.append(init)
            continue
        if all(op == "Gather" and i == 0 for op, i in uses):
            axis = 0  # an embedding table: one scale per row (token)
        elif all(op in ("MatMul", "Gemm") and i == 1 for op, i in uses):
            axis = 1  # a [in, out] projection: one scale per output feature
        else:
            kept.append(init)
            continue
        reduce_axis = 1 - axis
        scale = np.abs(array).max(axis=reduce_axis) / 127.0
        scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
        shape = [-1, 1] if axis == 0 else [1, -1]
        q = np.clip(np.rint(array / scale.reshape(shape)), -127, 127).astype(np.int8)
        new_inits += [
            numpy_helper.from_array(q, init.name + "_int8"),
            numpy_helper.from_array(scale, init.name + "_scale"),
            numpy_helper.from_array(np.zeros(scale.shape, dtype=np.int8), init.name + "_zero"),
        ]
        new_nodes.append(helper.make_node(
            "DequantizeLinear", [init.name + "_int8", init.name + "_scale", init.name + "_zero"], [init.name],
            name=init.name + "_dequantize", axis=axis))
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(new_nodes + nodes)
    for opset in model.opset_import:
        if opset.domain in ("", "ai.onnx") and opset.version < 13:
            raise ValueError("per-channel DequantizeLinear needs opset 13 or later")
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return len(new_nodes)
