"""A BERT encoder (the all-MiniLM-L6-v2 shape) in plain PyTorch, loaded from the weights of an ONNX export.

Written by hand because the recipe may only use Debian's python3-torch and python3-onnx (no PyPI, so no
transformers library); it mirrors the BERT layer by layer so the ONNX weights fit it one to one.
"""
import math
import re

import numpy as np
import onnx
import onnx.numpy_helper
import torch
from torch import nn


class Layer(nn.Module):
    def __init__(self, hidden, heads, intermediate, eps):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attn_out = nn.Linear(hidden, hidden)
        self.attn_norm = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.output = nn.Linear(intermediate, hidden)
        self.out_norm = nn.LayerNorm(hidden, eps=eps)
        self.dropout = nn.Dropout(0.1)

    def split(self, x):
        b, t, d = x.shape
        return x.view(b, t, self.heads, d // self.heads).transpose(1, 2)

    def forward(self, x, additive_mask):
        b, t, d = x.shape
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // self.heads) + additive_mask
        probs = torch.softmax(scores, dim=-1)
        context = (self.dropout(probs) @ v).transpose(1, 2).reshape(b, t, d)
        x = self.attn_norm(x + self.dropout(self.attn_out(context)))
        h = nn.functional.gelu(self.intermediate(x))
        x = self.out_norm(x + self.dropout(self.output(h)))
        return x, probs


class SentimentTransformer(nn.Module):
    """BERT encoder + masked mean pooling + linear classifier; also returns the last layer's attention.

    `pooling_mask` chooses the positions the embedding (and so the tag) is pooled over: the message's own
    tokens when earlier messages of its key are given as context, which every token still attends to.
    Without it, all real tokens are pooled (as in training).

    head="attention" gives the classifier its own pooling: a learned score per token, softmax over the
    pooled positions. The mean-pooled `embedding` is then free to stay where the base model put it (a
    second loss holds it there) while the tag reads whichever tokens carry the sentiment; it costs one
    384-wide dot product per token."""

    def __init__(self, vocab=30522, hidden=384, layers=6, heads=12, intermediate=1536, max_pos=512,
                 labels=2, eps=1e-12, head="mean"):
        super().__init__()
        self.head = head
        if head == "attention":
            self.tag_score = nn.Linear(hidden, 1)
        elif head != "mean":
            raise ValueError(f"unknown head {head}")
        self.word = nn.Embedding(vocab, hidden)
        self.position = nn.Embedding(max_pos, hidden)
        self.token_type = nn.Embedding(2, hidden)
        self.emb_norm = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList(Layer(hidden, heads, intermediate, eps) for _ in range(layers))
        self.dropout = nn.Dropout(0.1)
        self.classifier = nn.Linear(hidden, labels)

    def forward(self, input_ids, attention_mask, pooling_mask=None, token_type_ids=None):
        t = input_ids.shape[1]
        positions = torch.arange(t, device=input_ids.device).unsqueeze(0)
        # Messages are single segments, so token type 0 throughout: the shipped model takes no token_type_ids
        # (a Hugging Face layout export, hf_export.py, does, as Optimum's exports do).
        types = self.token_type.weight[0] if token_type_ids is None else self.token_type(token_type_ids)
        x = self.word(input_ids) + self.position(positions) + types
        x = self.dropout(self.emb_norm(x))
        maskf = attention_mask.to(x.dtype)
        additive = (1.0 - maskf)[:, None, None, :] * -10000.0
        probs = None
        for layer in self.layers:
            x, probs = layer(x, additive)
        poolf = maskf if pooling_mask is None else pooling_mask.to(x.dtype)
        pooled = (x * poolf.unsqueeze(-1)).sum(1) / poolf.sum(1, keepdim=True).clamp(min=1.0)
        if self.head == "attention":
            scores = self.tag_score(x).squeeze(-1) + (1.0 - poolf) * -10000.0
            weights = torch.softmax(scores, dim=-1)
            tagged = (x * weights.unsqueeze(-1)).sum(1)
        else:
            tagged = pooled
        logits = self.classifier(self.dropout(tagged))
        return logits, pooled, probs


def load_from_onnx(model, path):
    """Copies the weights of an all-MiniLM-L6-v2 style ONNX export (Hugging Face names) into `model`."""
    graph = onnx.load(path).graph
    init = {i.name: onnx.numpy_helper.to_array(i) for i in graph.initializer}
    # Projection weights are anonymous initializers (onnx::MatMul_N) feeding named MatMul nodes, stored
    # [in, out]; torch's Linear keeps [out, in].
    matmul = {n.name: n.input[1] for n in graph.node if n.op_type == "MatMul" and n.input[1] in init}

    def put(param, array):
        array = np.ascontiguousarray(array)
        if tuple(param.shape) != array.shape:
            raise ValueError(f"shape {array.shape} does not fit {tuple(param.shape)}")
        with torch.no_grad():
            param.copy_(torch.from_numpy(array))

    put(model.word.weight, init["embeddings.word_embeddings.weight"])
    put(model.position.weight, init["embeddings.position_embeddings.weight"])
    put(model.token_type.weight, init["embeddings.token_type_embeddings.weight"])
    put(model.emb_norm.weight, init["embeddings.LayerNorm.weight"])
    put(model.emb_norm.bias, init["embeddings.LayerNorm.bias"])
    parts = {
        "query": "attention/self/query", "key": "attention/self/key", "value": "attention/self/value",
        "attn_out": "attention/output/dense", "intermediate": "intermediate/dense", "output": "output/dense",
    }
    for i, layer in enumerate(model.layers):
        for attr, onnx_path in parts.items():
            linear = getattr(layer, attr)
            put(linear.weight, init[matmul[f"/encoder/layer.{i}/{onnx_path}/MatMul"]].T)
            put(linear.bias, init[f"encoder.layer.{i}.{onnx_path.replace('/', '.')}.bias"])
        for attr, name in (("attn_norm", "attention.output.LayerNorm"), ("out_norm", "output.LayerNorm")):
            put(getattr(layer, attr).weight, init[f"encoder.layer.{i}.{name}.weight"])
            put(getattr(layer, attr).bias, init[f"encoder.layer.{i}.{name}.bias"])
    return model


def load_exported(model, path):
    """Copies the weights of a model this recipe exported (train_attention.export, names of this module's
    parameters), also after quantize.quantize_weights stored its large tables as int8 + scale: those are
    dequantized, so the model continues from exactly the weights the shipped file computes with."""
    graph = onnx.load(path).graph
    init = {i.name: onnx.numpy_helper.to_array(i) for i in graph.initializer}
    for node in graph.node:
        if node.op_type == "DequantizeLinear":
            q, scale = init[node.input[0]].astype(np.float32), init[node.input[1]]
            axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
            init[node.output[0]] = q * (scale.reshape(-1, 1) if axis == 0 else scale.reshape(1, -1))
    matmul = {n.name: n.input[1] for n in graph.node if n.op_type == "MatMul" and n.input[1] in init}
    # Token type 0 is a constant the exporter folded into the embeddings' sum; type 1 is never read by this
    # export (messages are single segments), so it gets the same row.
    types = next(init[n.input[1]] for n in graph.node if n.op_type == "Add" and n.input[0] == "/Add_output_0")
    init["token_type.weight"] = np.stack([types, types])
    state = {}
    for name, param in model.state_dict().items():
        if name in init:
            array = init[name]
        else:
            module, kind = name.rsplit(".", 1)
            node = "/" + re.sub(r"\.(?!\d)", "/", module) + "/MatMul"  # layers.5.query -> /layers.5/query/MatMul
            if kind != "weight" or node not in matmul:
                raise ValueError(f"{path} has no weights for {name}")
            array = init[matmul[node]].T  # [in, out] in ONNX, [out, in] in torch
        if tuple(param.shape) != array.shape:
            raise ValueError(f"{name}: shape {array.shape} does not fit {tuple(param.shape)}")
        state[name] = torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
    model.load_state_dict(state)
    return model
