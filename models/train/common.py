"""Shared helpers for the streamnlp training recipe: token-id files, batching, seeds, timing."""
import json
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

from token_ids import LABEL_INDEX, LABELS, PAD_ID, POLAR, SEP_ID, read_ids  # noqa: F401 (re-exported)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def set_threads():
    # Debian's torch starts with one thread; use the machine's cores (2 on the CI kind).
    torch.set_num_threads(int(os.environ.get("STREAMNLP_TRAIN_THREADS", os.cpu_count() or 1)))


def device(name):
    """'auto': the GPU when this torch has one (the conversation stages; the rest of the recipe runs on the CPU)."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def device_of(model):
    return next(model.parameters()).device


def is_polar_only(labels):
    """A file whose labels are all poles is binary data (SST-2): it says nothing about neutral."""
    return all(l != 1 for l in labels)


def classification_loss(logits, labels, polar_only):
    """Cross-entropy over the three classes, but over the two poles only for binary examples, so that
    a movie-review phrase teaches which pole it is without teaching that it is not neutral."""
    full = F.cross_entropy(logits, labels, reduction="none")
    polar_target = (labels == 2).long()
    polar = F.cross_entropy(logits[:, POLAR], polar_target, reduction="none")
    return torch.where(polar_only, polar, full).mean()


def macro_recall(predicted, labels, classes=3):
    recalls = []
    for c in range(classes):
        n = sum(1 for y in labels if y == c)
        if n:
            recalls.append(sum(1 for p, y in zip(predicted, labels) if y == c and p == c) / n)
    return sum(recalls) / len(recalls)


def class_prior(labels):
    """Each class's share of the labels (floored at 1e-3, so its log stays finite)."""
    return torch.tensor([sum(1 for y in labels if y == c) / max(1, len(labels)) for c in range(len(LABELS))]
                        ).clamp(min=1e-3)


def selection_score(result):
    """What checkpoints are chosen on: dev macro-recall (tweets) + SST-2 dev accuracy, both goals counting."""
    return result["dev_macro_recall"] + result.get("dev_polar_accuracy", 0.0)


def conversation_selection(result):
    """What the conversation stages choose on: messages alone and after an unrelated one (tweets, SST-2), and the
    dev conversations' replies and leak."""
    return (selection_score(result) + result["dev_after_context_macro_recall"] + result["conv_reply_accuracy"]
            - result["conv_leak"])


def keep_if_best(tag, result, history, best, model, out, score=None):
    """Records a dev evaluation (history, log line) and saves the model as out/best.pt (CPU tensors, whatever
    device trained it) when its score (default: selection_score) beats `best`; returns the best score so far."""
    history.append(result)
    print(f"[{tag}] {json.dumps(result)}", flush=True)
    score = selection_score(result) if score is None else score
    if score > best:
        torch.save({k: v.cpu() for k, v in model.state_dict().items()}, f"{out}/best.pt")
        return score
    return best


def adjust_for_prior(name, bias, dev_logits, dev_labels, polar_logits, polar_labels, prior):
    """Logit adjustment (Menon et al., ICLR 2021): chooses tau in {0, 0.5, 1} by dev macro-recall + polar dev
    accuracy and adds -tau * log(prior) to the classifier bias in place, so the three recalls, which the
    official metric weighs equally, are not held down by the training set's class shares. Returns tau."""
    best = None
    for tau in (0.0, 0.5, 1.0):
        shift = -tau * prior.log()
        score = macro_recall((dev_logits + shift).argmax(-1).tolist(), dev_labels)
        if polar_logits is not None:
            score += polar_accuracy(polar_logits + shift, polar_labels)
        print(f"[{name}] logit adjustment tau={tau}: dev score {score:.4f}", flush=True)
        if best is None or score > best[1]:
            best = (tau, score)
    with torch.no_grad():
        bias.add_(-best[0] * prior.log())
    return best[0]


def polar_accuracy(logits, labels):
    """Accuracy over the two poles only (argmax among them), as `evaluate` scores a binary file."""
    predicted = torch.where(logits[:, 0] >= logits[:, 2], 0, 2)
    return float((predicted == torch.as_tensor(labels)).float().mean())


def pad(seqs):
    """Right-pads to the longest sequence; returns ids [B,T], mask [B,T], lengths [B] as int64 tensors."""
    t = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), t), PAD_ID, dtype=torch.long)
    mask = torch.zeros((len(seqs), t), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
        mask[i, : len(s)] = 1
    return ids, mask, torch.tensor([len(s) for s in seqs], dtype=torch.long)


def length_bucketed_batches(n_items, lengths, batch_size, rng, pool_batches=50):
    """Shuffled batches of similar lengths: little padding, still a random order of batches."""
    order = list(range(n_items))
    rng.shuffle(order)
    batches = []
    pool = batch_size * pool_batches
    for start in range(0, n_items, pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def linear_schedule(optimizer, warmup_steps, total_steps):
    def factor(step):
        if step < warmup_steps:
            return (step + 1) / max(1, warmup_steps)
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


class Progress:
    def __init__(self, name, total, every=100):
        self.name, self.total, self.every, self.start = name, total, every, time.time()

    def step(self, i, **values):
        if i % self.every == 0 or i == self.total:
            elapsed = time.time() - self.start
            eta = elapsed / max(i, 1) * (self.total - i)
            extra = " ".join(f"{k}={v:.4f}" for k, v in values.items())
            print(f"[{self.name}] {i}/{self.total} {extra} elapsed={elapsed:.0f}s eta={eta:.0f}s", flush=True)


def accuracy(logits, labels):
    return float((logits.argmax(-1) == labels).float().mean())


def sha256(path):
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def ceil_div(a, b):
    return int(math.ceil(a / b))
