#!/usr/bin/env python3
"""Writes bench/no-work-rnn/model.onnx: a model with the GRU's inputs and outputs that does no work.

`bench` runs it through the same topology, serdes and stores as the GRU to show the pipeline's own ceiling
("Kafka alone"). Its final state is its initial state, its embedding that state's top layer and its logits the
embedding's first three values, so ONNX Runtime copies tensors and nothing else.

The protobuf is encoded by hand (a few dozen lines of the wire format) so that this needs no Python package:
the onnx package is not available where the build runs. Run: python3 models/train/no_work_rnn.py
"""
import os
import struct

LAYERS, HIDDEN, LABELS = 2, 256, 3
FLOAT, INT64 = 1, 7


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, wire, payload):
    return varint(number << 3 | wire) + payload


def f_int(number, value):
    return field(number, 0, varint(value))


def f_bytes(number, data):
    return field(number, 2, varint(len(data)) + data)


def f_str(number, text):
    return f_bytes(number, text.encode())


def value_info(name, elem_type, dims):
    shape = b"".join(f_bytes(1, f_int(1, d) if isinstance(d, int) else f_str(2, d)) for d in dims)
    tensor = f_int(1, elem_type) + f_bytes(2, shape)
    return f_str(1, name) + f_bytes(2, f_bytes(1, tensor))


def int64_tensor(name, values, dims):
    return b"".join(f_int(1, d) for d in dims) + f_int(2, INT64) + f_str(8, name) + f_bytes(
        9, b"".join(struct.pack("<q", v) for v in values))


def node(op, inputs, outputs, name, attributes=b""):
    return b"".join(f_str(1, i) for i in inputs) + b"".join(f_str(2, o) for o in outputs) + f_str(3, name) \
        + f_str(4, op) + attributes


def int_attribute(name, value):
    return f_bytes(5, f_str(1, name) + f_int(3, value) + f_int(20, 2))  # AttributeProto.INT


def main():
    nodes = [
        node("Identity", ["initial_state"], ["final_state"], "state"),
        node("Gather", ["initial_state", "top_layer"], ["sentence_embedding"], "embedding", int_attribute("axis", 0)),
        node("Slice", ["sentence_embedding", "zero", "labels", "one"], ["logits"], "logits"),
    ]
    initializers = [int64_tensor("top_layer", [LAYERS - 1], []), int64_tensor("zero", [0], [1]),
                    int64_tensor("labels", [LABELS], [1]), int64_tensor("one", [1], [1])]
    inputs = [value_info("input_ids", INT64, ["batch", "tokens"]), value_info("lengths", INT64, ["batch"]),
              value_info("initial_state", FLOAT, [LAYERS, "batch", HIDDEN])]
    outputs = [value_info("logits", FLOAT, ["batch", LABELS]),
               value_info("sentence_embedding", FLOAT, ["batch", HIDDEN]),
               value_info("final_state", FLOAT, [LAYERS, "batch", HIDDEN])]
    graph = b"".join(f_bytes(1, n) for n in nodes) + f_str(2, "no-work-rnn") \
        + b"".join(f_bytes(5, t) for t in initializers) + b"".join(f_bytes(11, i) for i in inputs) \
        + b"".join(f_bytes(12, o) for o in outputs)
    model = f_int(1, 8) + f_str(2, "streamnlp no_work_rnn.py") + f_bytes(7, graph) \
        + f_bytes(8, f_str(1, "") + f_int(2, 13))
    out = os.path.join(os.path.dirname(__file__), "..", "..", "streamnlp-app", "src", "main", "resources", "bench",
                       "no-work-rnn", "model.onnx")
    with open(out, "wb") as f:
        f.write(model)
    print("wrote", os.path.normpath(out), len(model), "bytes")


if __name__ == "__main__":
    main()
