"""Teaches the transformer to use its context window: continues training the context-free model
(train_attention.py's model.onnx) on generated conversations (`streamnlp conversations --with-ids`), each message
read exactly as the stream's windowed encoder reads it: [CLS] + the newest `window` tokens of the key's earlier
messages + [SEP] + the message, the tag and embedding pooled over the message's own positions (pooling_mask),
labelled with its gold label in context. Windows are drawn from --windows so one model serves several
attention.window.tokens settings; a reply whose anchor lies outside its window is not trained on (nothing in
the input says what it refers to).

What the context-free model knew is kept as in context_gru.py: single messages (tweets, SST-2 phrases) distilled
to the starting model's logits, and their mean-pooled embedding held at the starting model's (cosine), so
`embedding` keeps its meaning.

Usage: context_attention.py --init-onnx attention/model.onnx --conversations conv-train.jsonl
         --dev-conversations conv-dev.jsonl --train semeval-train.ids --extra sst2-train.ids --dev semeval-dev.ids
         --dev-polar sst2-dev.ids --out DIR
"""
import argparse
import copy
import json
import random
import time

import torch
import torch.nn.functional as F

import common
from conversations import add_stage_arguments, earlier_partners, read_conversations, window_before
from minilm import load_exported
from train_attention import evaluate, forward_all, new_model, set_dropout, training_set

KINDS = ("AGREE", "DISAGREE", "QUESTION", "STANDALONE")


def windowed(context, ids):
    """The stream's input for a message after its context, and its pooling mask (TransformerEncoder.fillInputs)."""
    if not context:
        return list(ids), [1] * len(ids)
    seq = [ids[0], *context, common.SEP_ID, *ids[1:]]
    return seq, [1] + [0] * (len(context) + 1) + [1] * (len(ids) - 1)


def anchor_start(messages):
    """Token offset (in the stripped context stream) where the last polar message before the target begins."""
    offset, start = 0, None
    for label, ids in messages[:-1]:
        if label != 1:
            start = offset
        offset += len(ids) - 2
    return start, offset


def examples_of(convs, windows, other_share, rng, max_tokens):
    """(input ids, pooling mask, label, weight, kind) for each target whose anchor fits its window, and for
    other_share of the earlier messages."""
    out = []
    for kind, _, messages in convs:
        window = rng.choice(windows)
        start, end = anchor_start(messages)
        fits = kind == "STANDALONE" or (start is not None and end - start <= window)
        for i, (label, ids) in enumerate(messages):
            last = i == len(messages) - 1
            if (last and not fits) or (not last and rng.random() >= other_share):
                continue
            context = window_before(messages, i, window)[-max(0, max_tokens - len(ids) - 1):]
            seq, pool = windowed(context, ids)
            out.append((seq, pool, label, 1.0 if last else 0.3, kind if last else None))
    return out


def batch_tensors(items, device):
    t = max(len(e[0]) for e in items)
    ids = torch.zeros(len(items), t, dtype=torch.long)
    mask = torch.zeros(len(items), t, dtype=torch.long)
    pool = torch.zeros(len(items), t, dtype=torch.long)
    for r, e in enumerate(items):
        ids[r, : len(e[0])] = torch.tensor(e[0])
        mask[r, : len(e[0])] = 1
        pool[r, : len(e[1])] = torch.tensor(e[1])
    return ids.to(device), mask.to(device), pool.to(device)


def conversation_figures(model, convs, window, max_tokens, batch_size=64):
    """Targets read with a `window`-token context: accuracy per kind (replies only where the anchor fits the
    window) and leak (standalone targets tagged with the anchor's polarity in context but not alone)."""
    model.eval()
    device = common.device_of(model)
    rows = []
    for kind, _, messages in convs:
        start, end = anchor_start(messages)
        if kind != "STANDALONE" and (start is None or end - start > window):
            continue
        label, ids = messages[-1]
        context = window_before(messages, len(messages) - 1, window)[-max(0, max_tokens - len(ids) - 1):]
        polar = next((l for l, _ in reversed(messages[:-1]) if l != 1), None)
        rows.append((windowed(context, ids), ids, label, kind, polar))
    right = {k: 0 for k in KINDS}
    count = {k: 0 for k in KINDS}
    leaked = 0
    with torch.no_grad():
        for s in range(0, len(rows), batch_size):
            chunk = rows[s : s + batch_size]
            ids, mask, pool = batch_tensors([r[0] for r in chunk], device)
            in_context = model(ids, mask, pool)[0].argmax(-1).tolist()
            a_ids, a_mask, _ = common.pad([r[1] for r in chunk])
            alone = model(a_ids.to(device), a_mask.to(device))[0].argmax(-1).tolist()
            for r, p, q in zip(chunk, in_context, alone):
                count[r[3]] += 1
                right[r[3]] += int(p == r[2])
                if r[3] == "STANDALONE":
                    leaked += int(p != q and p == r[4])
    model.train()
    replies = sum(count[k] for k in KINDS[:3])
    return {"conv_window": window, "conv_reply_accuracy": sum(right[k] for k in KINDS[:3]) / max(1, replies),
            **{f"conv_{k.lower()}_accuracy": right[k] / max(1, count[k]) for k in KINDS},
            "conv_leak": leaked / max(1, count["STANDALONE"])}


def after_context_recall(model, dev, window, max_tokens, seed=13, batch_size=64):
    """Dev macro-recall with each tweet read after another, random dev tweet as its context window (as
    `evaluate --after-context`): a message keeps its own sentiment unless it is a reply."""
    n = len(dev[1])
    rows = []
    for i, j in enumerate(earlier_partners(n, seed)):
        earlier = dev[1][j]
        context = earlier[1:-1][-window:][-max(0, max_tokens - len(dev[1][i]) - 1):]
        rows.append(windowed(context, dev[1][i]))
    model.eval()
    predicted = []
    with torch.no_grad():
        for s in range(0, n, batch_size):
            ids, mask, pool = batch_tensors(rows[s : s + batch_size], common.device_of(model))
            predicted += model(ids, mask, pool)[0].argmax(-1).tolist()
    model.train()
    return common.macro_recall(predicted, dev[0])


def dev_figures(model, dev, dev_polar, dev_reference, dev_convs, window, max_tokens):
    """Every dev figure a checkpoint is chosen on: single messages (with the embedding against the reference's),
    each dev tweet after an unrelated one, and the dev conversations (common.conversation_selection sums them)."""
    return {**evaluate(model, dev, dev_polar, dev_reference),
            "dev_after_context_macro_recall": after_context_recall(model, dev, window, max_tokens),
            **conversation_figures(model, dev_convs, window, max_tokens)}


def main():
    p = argparse.ArgumentParser()
    add_stage_arguments(p, "transformer (train_attention.py's model.onnx)")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=32, help="windowed messages per step")
    p.add_argument("--single-batch-size", type=int, default=32, help="single messages per step")
    p.add_argument("--lr", type=float, default=3e-5)
    p.add_argument("--windows", default="32,64,128,128,192", help="context windows drawn per conversation")
    p.add_argument("--other-share", type=float, default=0.25, help="share of earlier messages also trained on")
    p.add_argument("--max-tokens", type=int, default=256, help="the model input's limit (manifest maxTokens)")
    p.add_argument("--embed-weight", type=float, default=4.0)
    p.add_argument("--freeze-layers", type=int, default=2)
    p.add_argument("--eval-every", type=int, default=200)
    p.add_argument("--eval-window", type=int, default=128)
    p.add_argument("--stop-at", type=int, default=None,
                   help="end at this step but keep the learning-rate schedule of the whole run (--max-steps shortens "
                        "the schedule): how the shipped model's run was ended")
    p.add_argument("--pair-share", type=float, default=0.0,
                   help="share of the single messages read after another random one as context, distilled to the "
                        "teacher reading the message alone (its sentiment should not move)")
    p.add_argument("--conversation-batch-size", type=int, default=None, help="default: --batch-size")
    a = p.parse_args()
    common.seed_everything(a.seed)
    common.set_threads()
    device = common.device(a.device)
    started = time.time()
    rng = random.Random(a.seed)
    windows = [int(w) for w in a.windows.split(",")]
    convs = read_conversations(a.conversations, a.max_len, a.limit)
    dev_convs = read_conversations(a.dev_conversations, a.max_len)
    main_data = common.read_ids(a.train, a.limit, a.max_len)
    extra = common.read_ids(a.extra, a.limit, a.max_len) if a.extra else None
    dev = common.read_ids(a.dev, None, a.max_len)
    dev_polar = common.read_ids(a.dev_polar, None, a.max_len) if a.dev_polar else None

    model = load_exported(new_model(), a.init_onnx).to(device)
    set_dropout(model, 0.0)
    start_model = (load_exported(new_model(), a.teacher_onnx).to(device) if a.teacher_onnx
                   else copy.deepcopy(model)).eval()
    _, dev_start = forward_all(start_model, dev[1])
    def figures():
        return dev_figures(model, dev, dev_polar, dev_start, dev_convs, a.eval_window, a.max_tokens)

    initial = figures()
    print(f"[context-attention] start: {json.dumps(initial)}", flush=True)
    frozen = [model.word, model.position, model.token_type, model.emb_norm, *model.layers[: a.freeze_layers]]
    for module in frozen:
        for param in module.parameters():
            param.requires_grad_(False)
    params = [q for q in model.parameters() if q.requires_grad]
    opt = torch.optim.AdamW([{"params": [q for q in params if q.ndim >= 2], "weight_decay": 0.01},
                             {"params": [q for q in params if q.ndim < 2], "weight_decay": 0.0}], lr=a.lr)
    per_epoch = []
    for _ in range(a.epochs):
        per_epoch.append(examples_of(convs, windows, a.other_share, rng, a.max_tokens))
    conv_batch = a.conversation_batch_size or a.batch_size
    total = sum(common.ceil_div(len(e), conv_batch) for e in per_epoch)
    if a.max_steps is not None:
        total = min(total, a.max_steps)
    singles = training_set(main_data, extra, total * a.single_batch_size, 0.3, 8, rng)
    sched = common.linear_schedule(opt, int(0.06 * total), total)
    best, history, step = -1.0, [], 0
    model.train()
    for epoch, examples in enumerate(per_epoch, 1):
        batches = common.length_bucketed_batches(len(examples), [len(e[0]) for e in examples], conv_batch, rng)
        progress = common.Progress(f"context-attention epoch {epoch}", len(batches), every=50)
        for n, batch in enumerate(batches, 1):
            if step == total or step == a.stop_at:
                break
            items = [examples[i] for i in batch]
            ids, mask, pool = batch_tensors(items, device)
            logits = model(ids, mask, pool)[0]
            y = torch.tensor([e[2] for e in items], device=device)
            w = torch.tensor([e[3] for e in items], device=device)
            conv_loss = (F.cross_entropy(logits, y, reduction="none") * w).sum() / w.sum()
            picked = singles[(step * a.single_batch_size) % len(singles):][: a.single_batch_size]
            s_ids, s_mask, _ = common.pad([e[1] for e in picked])
            s_ids, s_mask = s_ids.to(device), s_mask.to(device)
            with torch.no_grad():
                t_logits, t_pooled, _ = start_model(s_ids, s_mask)
            if a.pair_share > 0:
                # Some read after another message as their window; the target stays the teacher's reading of the
                # message alone.
                rows = [windowed(singles[rng.randrange(len(singles))][1][1:-1][-rng.choice(windows):]
                                 if rng.random() < a.pair_share else [], e[1]) for e in picked]
                p_ids, p_mask, p_pool = batch_tensors(rows, device)
                s_logits, s_pooled, _ = model(p_ids, p_mask, p_pool)
            else:
                s_logits, s_pooled, _ = model(s_ids, s_mask)
            t = a.temperature
            kd = F.kl_div(F.log_softmax(s_logits / t, -1), F.softmax(t_logits / t, -1), reduction="batchmean") * t * t
            label = common.classification_loss(s_logits, torch.tensor([e[0] for e in picked], device=device),
                                               torch.tensor([e[2] for e in picked], device=device))
            embed = (1.0 - F.cosine_similarity(s_pooled, t_pooled)).mean()
            loss = conv_loss + 0.7 * kd + 0.3 * label + a.embed_weight * embed
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            progress.step(n, conv=float(conv_loss), keep=float(kd), embed=float(embed))
            if step % a.eval_every == 0 or step == total:
                result = {**figures(), "step": step}
                result["selection"] = common.conversation_selection(result)
                best = common.keep_if_best("context-attention", result, history, best, model, a.out, result["selection"])
    model.load_state_dict(torch.load(f"{a.out}/best.pt", map_location=device))
    selected = figures()
    with open(f"{a.out}/training.json", "w") as f:
        json.dump({"model": "attention", "stage": "conversations", "labels": common.LABELS, "seed": a.seed,
                   "init": common.sha256(a.init_onnx), "epochs": a.epochs, "steps": total, "stop_at": a.stop_at,
                   "batch_size": a.batch_size, "single_batch_size": a.single_batch_size, "lr": a.lr,
                   "windows": windows, "other_share": a.other_share, "pair_share": a.pair_share,
                   "conversation_batch_size": conv_batch,
                   "teacher": common.sha256(a.teacher_onnx or a.init_onnx), "max_len": a.max_len,
                   "embed_weight": a.embed_weight, "temperature": a.temperature, "freeze_layers": a.freeze_layers,
                   "conversations": len(convs), "device": str(device), "start": initial, "selected_torch": selected,
                   "history": history, "train_seconds": round(time.time() - started)}, f, indent=2)
    print(f"[context-attention] trained {a.out}/best.pt (export it with train_attention.py --export-only), selected {json.dumps(selected)}", flush=True)


if __name__ == "__main__":
    main()
