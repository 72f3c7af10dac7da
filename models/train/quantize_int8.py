"""Static int8 quantization of the attention model: int8 weights (per output channel) and uint8
activations with scales calibrated once on real tweets, so int8 matrix products (VNNI on x86) replace float
ones.

Static, not dynamic: dynamic quantization computes an activation's scale from the whole batch at run time,
so a message's result would depend on its batch-mates; here every scale is a constant of the model file.

Only MatMuls with a constant weight are quantized (the projections and feed-forward layers, about 80 % of
the time); attention scores, softmax, layer norms and the pooling heads stay float, which keeps the
embedding and the attention weights close to the float model's.

Needs Python's onnxruntime (its quantization tools) and onnx:
  python3 -m venv /tmp/qenv && /tmp/qenv/bin/pip install --no-index --find-links /opt/pypi/files \
      onnxruntime==1.30.0 onnx==1.23.1
(the wheels this machine kind keeps on disk; build.sh does this).

  quantize_int8.py --float-model MODEL.onnx --calibration IDS --out OUT.onnx [--messages 512] [--seed 13]
"""
import argparse
import random
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
from token_ids import read_ids  # noqa: E402


def float_weights(src, dst):
    """Folds the weight-only int8 storage (DequantizeLinear of constant weights, quantize.py) back into float
    initializers, giving the float model the int8 one is calibrated from."""
    model = onnx.load(src)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    folded, keep = {}, []
    for node in graph.node:
        if node.op_type == "DequantizeLinear" and all(n in inits for n in node.input):
            q = numpy_helper.to_array(inits[node.input[0]]).astype(np.float32)
            scale = numpy_helper.to_array(inits[node.input[1]])
            zero = numpy_helper.to_array(inits[node.input[2]]).astype(np.float32) if len(node.input) > 2 else 0
            axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
            shape = [1] * q.ndim
            shape[axis] = -1
            if np.ndim(scale) == 1:
                scale = scale.reshape(shape)
                zero = np.reshape(zero, shape) if np.ndim(zero) == 1 else zero
            folded[node.output[0]] = numpy_helper.from_array(((q - zero) * scale).astype(np.float32),
                                                             node.output[0])
        else:
            keep.append(node)
    used = {n for node in keep for n in node.input}
    new_inits = [i for i in graph.initializer if i.name in used and i.name not in folded] + list(folded.values())
    del graph.node[:]
    graph.node.extend(keep)
    del graph.initializer[:]
    graph.initializer.extend(new_inits)
    onnx.save(model, dst)
    return len(folded)


def int8_embedding_tables(path, min_elements=16384):
    """Stores each large embedding table (a float initializer read by Gather) as int8 with one scale per row,
    read as Gather(int8) -> Cast -> Mul(Gather(scale)): only the looked-up rows are widened to float, so the
    file shrinks by about 35 MB and no run-time step touches the whole table."""
    model = onnx.load(path)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    tables = {}
    for node in graph.node:
        if node.op_type == "Gather" and node.input[0] in inits:
            array = numpy_helper.to_array(inits[node.input[0]])
            if array.dtype == np.float32 and array.ndim == 2 and array.size >= min_elements:
                tables[node.input[0]] = array
    nodes = []
    for node in graph.node:
        if node.op_type != "Gather" or node.input[0] not in tables:
            nodes.append(node)
            continue
        name, ids, out = node.input[0], node.input[1], node.output[0]
        nodes += [
            helper.make_node("Gather", [name + "_int8", ids], [out + "_int8"], axis=0),
            helper.make_node("Cast", [out + "_int8"], [out + "_wide"], to=TensorProto.FLOAT),
            helper.make_node("Gather", [name + "_row_scale", ids], [out + "_scale"], axis=0),
            helper.make_node("Mul", [out + "_wide", out + "_scale"], [out]),
        ]
    kept = [i for i in graph.initializer if i.name not in tables]
    for name, array in tables.items():
        scale = np.abs(array).max(axis=1, keepdims=True) / 127.0
        scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
        kept.append(numpy_helper.from_array(np.clip(np.rint(array / scale), -127, 127).astype(np.int8),
                                            name + "_int8"))
        kept.append(numpy_helper.from_array(scale, name + "_row_scale"))
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept)
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return len(tables)


class TweetReader:
    """One message per calibration batch, at its own length (no padding skews the ranges)."""

    def __init__(self, seqs, input_names):
        self.seqs = seqs
        self.names = input_names
        self.i = 0

    def get_next(self):
        if self.i >= len(self.seqs):
            return None
        ids = np.array([self.seqs[self.i]], dtype=np.int64)
        self.i += 1
        feed = {"input_ids": ids}
        for name in self.names:
            if name != "input_ids":
                feed[name] = np.ones_like(ids)
        return feed

    def rewind(self):
        self.i = 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--float-model", required=True, help="model.onnx (weights float or weight-only int8)")
    p.add_argument("--calibration", required=True, help="token ids from `streamnlp tokenize` (label<TAB>ids)")
    p.add_argument("--out", required=True)
    p.add_argument("--messages", type=int, default=512)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--max-len", type=int, default=128)
    p.add_argument("--method", default="minmax", choices=["minmax", "percentile", "entropy"])
    a = p.parse_args()

    from onnxruntime.quantization import (CalibrationMethod, QuantFormat, QuantType, quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    _, seqs = read_ids(a.calibration, max_len=a.max_len)
    random.Random(a.seed).shuffle(seqs)
    seqs = seqs[: a.messages]
    with tempfile.TemporaryDirectory() as tmp:
        plain = str(Path(tmp) / "float.onnx")
        print(f"folded {float_weights(a.float_model, plain)} int8-stored weights back to float")
        prepared = str(Path(tmp) / "prepared.onnx")
        quant_pre_process(plain, prepared, skip_symbolic_shape=False)
        names = [i.name for i in onnx.load(prepared).graph.input]
        method = {"minmax": CalibrationMethod.MinMax, "percentile": CalibrationMethod.Percentile,
                  "entropy": CalibrationMethod.Entropy}[a.method]
        quantize_static(prepared, a.out, TweetReader(seqs, names), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        op_types_to_quantize=["MatMul"], calibrate_method=method,
                        extra_options={"MatMulConstBOnly": True, "OpTypesToExcludeOutputQuantization": ["MatMul"]})
    print(f"stored {int8_embedding_tables(a.out)} embedding tables as int8 rows")
    model = onnx.load(a.out)
    q = sum(1 for n in model.graph.node if n.op_type == "QuantizeLinear")
    print(f"wrote {a.out}: {q} activation quantizers, calibrated on {len(seqs)} tweets ({a.method})")


if __name__ == "__main__":
    main()
