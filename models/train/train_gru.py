"""Trains the streaming GRU three-class sentiment model (negative, neutral, positive) on tweets plus SST-2
phrases as extra polar data, distilled from the fine-tuned transformer, and exports it to ONNX with the
hidden state as an explicit input and output.

The GRU reads left to right only, so a key's state can be carried from message to message. Its word
vectors start from the transformer's, reduced to 128 dimensions by PCA. A share of the training examples
are preceded by another, unrelated example (as a key's earlier message would be), labelled by the later one,
so the model learns to judge the newest message even when it continues from a previous state.

Usage: train_gru.py --base-onnx all-minilm-l6-v2.onnx --train semeval-train.ids --extra sst2-train.ids
         --teacher-weights attention/best.pt --dev semeval-dev.ids --dev-polar sst2-dev.ids --out DIR
"""
import argparse
import json
import random
import time

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper
from torch import nn

import common

VOCAB = 30522


class StreamingGru(nn.Module):
    def __init__(self, embed=128, hidden=256, layers=2, labels=len(common.LABELS)):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, embed, padding_idx=common.PAD_ID)
        self.gru = nn.GRU(embed, hidden, num_layers=layers, batch_first=True, dropout=0.2)
        self.dropout = nn.Dropout(0.25)
        self.classifier = nn.Linear(hidden, labels)

    def forward(self, ids, lengths, h0=None):
        x = self.dropout(self.embedding(ids))
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, hn = self.gru(packed, h0)
        last = hn[-1]
        return self.classifier(self.dropout(last)), last, hn


def pca_embeddings(base_onnx, dim):
    init = {i.name: i for i in onnx.load(base_onnx).graph.initializer}
    words = onnx.numpy_helper.to_array(init["embeddings.word_embeddings.weight"]).astype(np.float64)
    centred = words - words.mean(0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ vt[:dim].T
    return (reduced / reduced.std() * 0.5).astype(np.float32)


def logits_of(model, seqs):
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(seqs), 128):
            ids, _, lengths = common.pad(seqs[start : start + 128])
            out.append(model(ids.to(common.device_of(model)), lengths)[0].cpu())
    model.train()
    return torch.cat(out)


def evaluate(model, dev, dev_polar):
    predicted = logits_of(model, dev[1]).argmax(-1).tolist()
    result = {"dev_macro_recall": common.macro_recall(predicted, dev[0]),
              "dev_accuracy": sum(p == y for p, y in zip(predicted, dev[0])) / len(dev[0])}
    if dev_polar is not None:
        result["dev_polar_accuracy"] = common.polar_accuracy(logits_of(model, dev_polar[1]), dev_polar[0])
    return result


def training_set(main, extra, extra_count, min_extra_len, rng):
    """All tweets, plus extra_count polar phrases of at least min_extra_len tokens: (label, ids, polar_only)."""
    examples = [(y, s, False) for y, s in zip(*main)]
    if extra:
        pool = [i for i in range(len(extra[0])) if len(extra[1][i]) >= min_extra_len]
        rng.shuffle(pool)
        examples += [(extra[0][i], extra[1][i], True) for i in pool[:extra_count]]
    return examples


def adjust_for_prior(model, dev, dev_polar, prior):
    """The teacher's soft targets are already adjusted; the labels' share of the loss is not."""
    polar = logits_of(model, dev_polar[1]) if dev_polar is not None else None
    return common.adjust_for_prior("gru", model.classifier.bias, logits_of(model, dev[1]), dev[0], polar,
                                   dev_polar[0] if dev_polar is not None else None, prior)


def teacher_logits(weights, seqs):
    import train_attention

    teacher = train_attention.new_model()
    teacher.load_state_dict(torch.load(weights))
    return train_attention.forward_all(teacher, seqs)[0]


def with_context(seqs, share, rng):
    """Adds, for `share` of the examples, a copy preceded by another random example's tokens."""
    n = len(seqs)
    extra = rng.sample(range(n), int(n * share))
    inputs = [(i, None) for i in range(n)] + [(i, rng.randrange(n)) for i in extra]
    return inputs


def export(model, path):
    """Builds the ONNX graph by hand: torch's exporter cannot emit ONNX GRU with sequence_lens, which is what
    lets one batch hold messages of different lengths, each with its own final state."""
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    layers, hidden = model.gru.num_layers, model.gru.hidden_size
    inits = [numpy_helper.from_array(sd["embedding.weight"], "embedding"),
             numpy_helper.from_array(sd["classifier.weight"], "classifier_weight"),
             numpy_helper.from_array(sd["classifier.bias"], "classifier_bias")]

    def reorder(w):  # torch gate order (r, z, n) -> ONNX (z, r, h)
        r, z, n = np.split(w, 3, axis=0)
        return np.concatenate([z, r, n], axis=0)

    nodes = [
        helper.make_node("Gather", ["embedding", "input_ids"], ["embedded"]),
        helper.make_node("Transpose", ["embedded"], ["x0"], perm=[1, 0, 2]),
        helper.make_node("Cast", ["lengths"], ["lengths_i32"], to=TensorProto.INT32),
        helper.make_node("Split", ["initial_state"], [f"h0_{l}" for l in range(layers)], axis=0),
    ]
    inits += [numpy_helper.from_array(np.array([0], dtype=np.int64), "axis0"),
              numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1")]
    for l in range(layers):
        w = reorder(sd[f"gru.weight_ih_l{l}"])[None]
        r = reorder(sd[f"gru.weight_hh_l{l}"])[None]
        b = np.concatenate([reorder(sd[f"gru.bias_ih_l{l}"]), reorder(sd[f"gru.bias_hh_l{l}"])])[None]
        inits += [numpy_helper.from_array(w.astype(np.float32), f"W{l}"),
                  numpy_helper.from_array(r.astype(np.float32), f"R{l}"),
                  numpy_helper.from_array(b.astype(np.float32), f"B{l}")]
        nodes.append(helper.make_node(
            "GRU", [f"x{l}", f"W{l}", f"R{l}", f"B{l}", "lengths_i32", f"h0_{l}"], [f"y{l}", f"hn_{l}"],
            hidden_size=hidden, linear_before_reset=1, direction="forward"))
        nodes.append(helper.make_node("Squeeze", [f"y{l}", "axis1"], [f"x{l + 1}"]))
    nodes += [
        helper.make_node("Concat", [f"hn_{l}" for l in range(layers)], ["final_state"], axis=0),
        helper.make_node("Squeeze", [f"hn_{layers - 1}", "axis0"], ["sentence_embedding"]),
        helper.make_node("Gemm", ["sentence_embedding", "classifier_weight", "classifier_bias"], ["logits"],
                         transB=1),
    ]
    graph = helper.make_graph(
        nodes, "streamnlp_gru_sentiment3", [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("lengths", TensorProto.INT64, ["batch"]),
            helper.make_tensor_value_info("initial_state", TensorProto.FLOAT, [layers, "batch", hidden]),
        ], [
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", len(common.LABELS)]),
            helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden]),
            helper.make_tensor_value_info("final_state", TensorProto.FLOAT, [layers, "batch", hidden]),
        ], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], producer_name="streamnlp")
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base-onnx", required=True)
    p.add_argument("--train", required=True, help="three-class training ids (tweets)")
    p.add_argument("--extra", help="binary (polar-only) training ids, e.g. SST-2")
    p.add_argument("--extra-count", type=int, default=20000)
    p.add_argument("--min-extra-len", type=int, default=8)
    p.add_argument("--teacher-weights", help="the fine-tuned transformer (best.pt); without it, labels only")
    p.add_argument("--dev", required=True)
    p.add_argument("--dev-polar")
    p.add_argument("--out", required=True)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--max-len", type=int, default=64)
    p.add_argument("--alpha", type=float, default=0.7, help="weight of the distillation loss")
    p.add_argument("--temperature", type=float, default=2.0)
    p.add_argument("--context-share", type=float, default=0.3)
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--seed", type=int, default=13)
    a = p.parse_args()
    common.seed_everything(a.seed)
    common.set_threads()
    started = time.time()
    rng = random.Random(a.seed)
    extra = common.read_ids(a.extra, a.limit, a.max_len) if a.extra else None
    examples = training_set(common.read_ids(a.train, a.limit, a.max_len), extra, a.extra_count, a.min_extra_len,
                            rng)
    labels = [e[0] for e in examples]
    seqs = [e[1] for e in examples]
    polar_only = torch.tensor([e[2] for e in examples])
    dev = common.read_ids(a.dev, None, a.max_len)
    dev_polar = common.read_ids(a.dev_polar, None, a.max_len) if a.dev_polar else None
    teacher = teacher_logits(a.teacher_weights, seqs) if a.teacher_weights else None
    print(f"[gru] {len(seqs)} examples, teacher scored in {time.time() - started:.0f}s", flush=True)
    model = StreamingGru()
    with torch.no_grad():
        model.embedding.weight.copy_(torch.from_numpy(pca_embeddings(a.base_onnx, model.embedding.embedding_dim)))
        model.embedding.weight[common.PAD_ID].zero_()
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    best, history = -1.0, []
    steps_per_epoch = common.ceil_div(int(len(seqs) * (1 + a.context_share)), a.batch_size)
    sched = common.linear_schedule(opt, 200, steps_per_epoch * a.epochs)
    for epoch in range(1, a.epochs + 1):
        inputs = with_context(seqs, a.context_share, rng)
        lengths = [len(seqs[i]) + (len(seqs[c]) if c is not None else 0) for i, c in inputs]
        batches = common.length_bucketed_batches(len(inputs), lengths, a.batch_size, rng)
        progress = common.Progress(f"gru epoch {epoch}", len(batches), every=200)
        for n, batch in enumerate(batches, 1):
            targets = [inputs[j][0] for j in batch]
            token_lists = [(seqs[c] if c is not None else []) + seqs[i] for i, c in (inputs[j] for j in batch)]
            ids, _, lens = common.pad(token_lists)
            logits = model(ids, lens)[0]
            y = torch.tensor([labels[i] for i in targets])
            loss = common.classification_loss(logits, y, polar_only[targets])
            if teacher is not None:
                t = a.temperature
                soft = F.softmax(teacher[targets] / t, dim=-1)
                kd = F.kl_div(F.log_softmax(logits / t, dim=-1), soft, reduction="batchmean") * t * t
                loss = a.alpha * kd + (1 - a.alpha) * loss
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            progress.step(n, loss=float(loss))
        result = evaluate(model, dev, dev_polar)
        result["epoch"] = epoch
        best = common.keep_if_best("gru", result, history, best, model, a.out)
    model.load_state_dict(torch.load(f"{a.out}/best.pt"))
    model.eval()
    prior = common.class_prior([e[0] for e in examples if not e[2]])
    tau = adjust_for_prior(model, dev, dev_polar, prior)
    selected = evaluate(model, dev, dev_polar)
    export(model, f"{a.out}/model.onnx")
    with open(f"{a.out}/training.json", "w") as f:
        json.dump({"model": "gru", "labels": common.LABELS, "seed": a.seed, "epochs": a.epochs,
                   "batch_size": a.batch_size, "lr": a.lr, "max_len": a.max_len,
                   "distilled": teacher is not None, "alpha": a.alpha, "temperature": a.temperature,
                   "context_share": a.context_share, "train_examples": len(seqs),
                   "polar_phrases": int(polar_only.sum()), "logit_adjustment_tau": tau,
                   "selected_torch": selected, "history": history,
                   "train_seconds": round(time.time() - started)}, f, indent=2)
    print(f"[gru] exported {a.out}/model.onnx, selected {json.dumps(selected)}", flush=True)


if __name__ == "__main__":
    main()
