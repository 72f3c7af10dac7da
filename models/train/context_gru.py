"""Teaches the streaming GRU to read a message in its key's history: continues training the context-free GRU
(train_gru.py's model.onnx) on generated conversations (`streamnlp conversations --with-ids`) with truncated
back-propagation through each key's whole sequence of messages: the state runs from message to message exactly
as the stream carries it, and every message is scored at its last token against its gold label in context (the
reply's label follows from the earlier anchor; fillers and standalone messages keep their own).

What the context-free model already knew is kept by mixing in single messages (tweets, SST-2 phrases) whose
loss is distillation to the starting model's own logits (learning without forgetting) plus their labels.

Usage: context_gru.py --init-onnx gru/model.onnx --conversations conv-train.jsonl --dev-conversations conv-dev.jsonl
         --train semeval-train.ids --extra sst2-train.ids --dev semeval-dev.ids --dev-polar sst2-dev.ids --out DIR
"""
import argparse
import copy
import json
import random
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from torch import nn

import common
from conversations import add_stage_arguments, earlier_partners, read_conversations
from train_gru import StreamingGru, evaluate, export, logits_of, training_set

KINDS = ("AGREE", "DISAGREE", "QUESTION", "STANDALONE")


def load_onnx(model, path):
    """The weights of a model.onnx written by train_gru.export, back into a StreamingGru (gate order z,r,h -> r,z,n)."""
    init = {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}

    def back(w):
        z, r, n = np.split(w, 3, axis=0)
        return np.concatenate([r, z, n], axis=0)

    sd = {"embedding.weight": init["embedding"], "classifier.weight": init["classifier_weight"],
          "classifier.bias": init["classifier_bias"]}
    hidden = model.gru.hidden_size
    for l in range(model.gru.num_layers):
        sd[f"gru.weight_ih_l{l}"] = back(init[f"W{l}"][0])
        sd[f"gru.weight_hh_l{l}"] = back(init[f"R{l}"][0])
        b = init[f"B{l}"][0]
        sd[f"gru.bias_ih_l{l}"] = back(b[: 3 * hidden])
        sd[f"gru.bias_hh_l{l}"] = back(b[3 * hidden:])
    model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()})
    return model


def step_logits(model, ids):
    """Logits after every token (the top layer's state is what the stream classifies at a message's end).

    The GRU runs over the right-padded batch without packing: a one-directional GRU's output at a real position
    never sees the padding after it, so the logits there are the packed ones, and Debian's CPU torch
    back-propagates through packed sequences 10-20x slower (45 s vs 2 s for 32 x 316 tokens)."""
    x = model.dropout(model.embedding(ids.to(common.device_of(model))))
    out, _ = model.gru(x)
    return model.classifier(model.dropout(out))


def last_logits(model, ids, lengths):
    """The logits at each sequence's last token: model(ids, lengths)[0] through the fast unpacked path."""
    out = step_logits(model, ids)
    return out[torch.arange(len(lengths), device=out.device), (lengths - 1).to(out.device)]


def conversation_batch(convs, target_weight, other_weight, first_weight=None):
    """Concatenated ids of each conversation; (row, position of each message's last token, label, weight).
    first_weight (default: other_weight) scores each conversation's opening message, read from the zero state:
    the generator always opens with an opinion, so scoring it teaches that a key's first message is polar."""
    seqs, rows, positions, labels, weights = [], [], [], [], []
    for r, (_, _, messages) in enumerate(convs):
        seq = []
        for i, (label, ids) in enumerate(messages):
            seq.extend(ids)
            rows.append(r)
            positions.append(len(seq) - 1)
            labels.append(label)
            weights.append(target_weight if i == len(messages) - 1
                           else first_weight if i == 0 and first_weight is not None else other_weight)
        seqs.append(seq)
    ids, _, _ = common.pad(seqs)
    return ids, torch.tensor(rows), torch.tensor(positions), torch.tensor(labels), torch.tensor(weights)


def conversation_figures(model, convs, batch_size=64):
    """Per kind: the share of targets tagged right in context; leak: standalone targets tagged with the anchor's
    polarity in context but not alone."""
    model.eval()
    right = {k: 0 for k in KINDS}
    count = {k: 0 for k in KINDS}
    leaked = 0
    with torch.no_grad():
        for start in range(0, len(convs), batch_size):
            chunk = convs[start : start + batch_size]
            ids, rows, positions, labels, _ = conversation_batch(chunk, 1.0, 1.0)
            logits = step_logits(model, ids).cpu()
            ends = {}
            for r, p in zip(rows.tolist(), positions.tolist()):
                ends[r] = p  # the last message's end
            alone_ids, _, alone_len = common.pad([c[2][-1][1] for c in chunk])
            alone = model(alone_ids.to(common.device_of(model)), alone_len)[0].argmax(-1).cpu()
            for r, (kind, _, messages) in enumerate(chunk):
                predicted = int(logits[r, ends[r]].argmax())
                gold = messages[-1][0]
                count[kind] += 1
                right[kind] += int(predicted == gold)
                if kind == "STANDALONE":
                    anchor = next(l for l, _ in reversed(messages[:-1]) if l != 1) if any(
                        l != 1 for l, _ in messages[:-1]) else None
                    leaked += int(predicted != int(alone[r]) and predicted == anchor)
    model.train()
    replies = sum(count[k] for k in KINDS[:3])
    return {"conv_reply_accuracy": sum(right[k] for k in KINDS[:3]) / max(1, replies),
            **{f"conv_{k.lower()}_accuracy": right[k] / max(1, count[k]) for k in KINDS},
            "conv_leak": leaked / max(1, count["STANDALONE"])}


def after_context_recall(model, dev, seed=13):
    """Dev macro-recall with each tweet read after another, random dev tweet (as `evaluate --after-context`): a
    key's next message must keep its own sentiment unless it is a reply."""
    pairs = [dev[1][j] + dev[1][i] for i, j in enumerate(earlier_partners(len(dev[1]), seed))]
    return common.macro_recall(logits_of(model, pairs).argmax(-1).tolist(), dev[0])


def figures(model, dev, dev_polar, dev_convs):
    return {**evaluate(model, dev, dev_polar), "dev_after_context_macro_recall": after_context_recall(model, dev),
            **conversation_figures(model, dev_convs)}


def main():
    p = argparse.ArgumentParser()
    add_stage_arguments(p, "GRU (train_gru.py's model.onnx)")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=32, help="conversations per step")
    p.add_argument("--single-batch-size", type=int, default=64, help="single messages per step")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--target-weight", type=float, default=1.0)
    p.add_argument("--other-weight", type=float, default=0.3, help="loss weight of the earlier messages")
    p.add_argument("--first-weight", type=float, default=None,
                   help="loss weight of each conversation's opening message (default: --other-weight)")
    p.add_argument("--keep-weight", type=float, default=1.0, help="weight of the single-message loss")
    p.add_argument("--pair-share", type=float, default=0.0,
                   help="share of the single messages read after another random one (the teacher reads the same pair)")
    p.add_argument("--eval-every", type=int, default=150)
    a = p.parse_args()
    device = common.device(a.device)
    common.seed_everything(a.seed)
    common.set_threads()
    started = time.time()
    rng = random.Random(a.seed)
    convs = read_conversations(a.conversations, a.max_len, a.limit)
    dev_convs = read_conversations(a.dev_conversations, a.max_len)
    extra = common.read_ids(a.extra, a.limit, a.max_len) if a.extra else None
    singles = training_set(common.read_ids(a.train, a.limit, a.max_len), extra, 20000, 8, rng)
    dev = common.read_ids(a.dev, None, a.max_len)
    dev_polar = common.read_ids(a.dev_polar, None, a.max_len) if a.dev_polar else None

    model = load_onnx(StreamingGru(), a.init_onnx).to(device)
    start_model = (load_onnx(StreamingGru(), a.teacher_onnx).to(device) if a.teacher_onnx
                   else copy.deepcopy(model)).eval()
    initial = figures(model, dev, dev_polar, dev_convs)
    print(f"[context-gru] start: {json.dumps(initial)}", flush=True)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    lengths = [sum(len(ids) for _, ids in c[2]) for c in convs]
    steps_per_epoch = common.ceil_div(len(convs), a.batch_size)
    total = steps_per_epoch * a.epochs if a.max_steps is None else min(a.max_steps, steps_per_epoch * a.epochs)
    sched = common.linear_schedule(opt, 50, total)
    best, history, step = -1.0, [], 0
    model.train()
    for epoch in range(1, a.epochs + 1):
        batches = common.length_bucketed_batches(len(convs), lengths, a.batch_size, rng)
        progress = common.Progress(f"context-gru epoch {epoch}", len(batches), every=50)
        for n, batch in enumerate(batches, 1):
            if step == total:
                break
            step += 1
            ids, rows, positions, y, w = conversation_batch([convs[i] for i in batch], a.target_weight,
                                                            a.other_weight, a.first_weight)
            logits = step_logits(model, ids)[rows.to(device), positions.to(device)]
            y, w = y.to(device), w.to(device)
            conv_loss = (F.cross_entropy(logits, y, reduction="none") * w).sum() / w.sum()
            pick = rng.sample(range(len(singles)), a.single_batch_size)
            # A share of them after another message, as a key's next message comes after its last: a message keeps
            # its own sentiment whatever came before unless it is a reply (the conversations teach those).
            s_ids, _, s_len = common.pad([(singles[rng.randrange(len(singles))][1] if rng.random() < a.pair_share
                                           else []) + singles[i][1] for i in pick])
            s_ids = s_ids.to(device)
            s_logits = last_logits(model, s_ids, s_len)
            with torch.no_grad():
                teacher = last_logits(start_model, s_ids, s_len)
            t = a.temperature
            kd = F.kl_div(F.log_softmax(s_logits / t, -1), F.softmax(teacher / t, -1), reduction="batchmean") * t * t
            label = common.classification_loss(s_logits, torch.tensor([singles[i][0] for i in pick], device=device),
                                               torch.tensor([singles[i][2] for i in pick], device=device))
            loss = conv_loss + a.keep_weight * (0.7 * kd + 0.3 * label)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            progress.step(n, conv=float(conv_loss), keep=float(kd))
            if step % a.eval_every == 0 or step == total:
                result = {**figures(model, dev, dev_polar, dev_convs), "step": step}
                result["selection"] = common.conversation_selection(result)
                best = common.keep_if_best("context-gru", result, history, best, model, a.out, result["selection"])
    model = model.cpu()
    model.load_state_dict(torch.load(f"{a.out}/best.pt"))
    model.eval()
    selected = figures(model, dev, dev_polar, dev_convs)
    export(model, f"{a.out}/model.onnx")
    with open(f"{a.out}/training.json", "w") as f:
        json.dump({"model": "gru", "stage": "conversations", "labels": common.LABELS, "seed": a.seed,
                   "init": common.sha256(a.init_onnx), "epochs": a.epochs, "batch_size": a.batch_size,
                   "single_batch_size": a.single_batch_size, "lr": a.lr, "max_len": a.max_len,
                   "target_weight": a.target_weight, "other_weight": a.other_weight, "first_weight": a.first_weight,
                   "keep_weight": a.keep_weight,
                   "temperature": a.temperature, "pair_share": a.pair_share,
                   "teacher": common.sha256(a.teacher_onnx or a.init_onnx), "conversations": len(convs),
                   "device": str(device), "start": initial,
                   "selected_torch": selected, "history": history,
                   "train_seconds": round(time.time() - started)}, f, indent=2)
    print(f"[context-gru] exported {a.out}/model.onnx, selected {json.dumps(selected)}", flush=True)


if __name__ == "__main__":
    main()
