"""Scores the training text with the fine-tuned transformer, for distilling it into the GRU.

Usage: teacher_logits.py --base-onnx all-minilm-l6-v2.onnx --weights attention/best.pt --train train.ids --out F.npy
"""
import argparse

import numpy as np
import torch

import common
from minilm import SentimentTransformer


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weights", required=True)
    p.add_argument("--train", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--limit", type=int, default=None)
    a = p.parse_args()
    common.set_threads()
    _, seqs = common.read_ids(a.train, a.limit)
    model = SentimentTransformer()
    model.load_state_dict(torch.load(a.weights))
    model.eval()
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    logits = np.zeros((len(seqs), 2), dtype=np.float32)
    progress = common.Progress("teacher", common.ceil_div(len(seqs), 128), every=50)
    with torch.no_grad():
        for n, start in enumerate(range(0, len(order), 128), 1):
            idx = order[start : start + 128]
            ids, mask, _ = common.pad([seqs[i] for i in idx])
            logits[idx] = model(ids, mask)[0].numpy()
            progress.step(n)
    np.save(a.out, logits)


if __name__ == "__main__":
    main()
