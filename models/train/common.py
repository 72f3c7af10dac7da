"""Shared helpers for the streamnlp training recipe: token-id files, batching, seeds, timing."""
import math
import os
import random
import time

import numpy as np
import torch

PAD_ID = 0  # [PAD] in the BERT uncased vocabulary both models share


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def set_threads():
    # Debian's torch starts with one thread; use the machine's cores (2 on the CI kind).
    torch.set_num_threads(int(os.environ.get("STREAMNLP_TRAIN_THREADS", os.cpu_count() or 1)))


def read_ids(path, limit=None):
    """Reads `label<TAB>ids` lines written by `streamnlp tokenize` into (labels, [ids])."""
    labels, seqs = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            label, ids = line.rstrip("\n").split("\t")
            labels.append(int(label))
            seqs.append([int(t) for t in ids.split()])
            if limit is not None and len(labels) >= limit:
                break
    return labels, seqs


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
