"""Fine-tunes all-MiniLM-L6-v2 (6 layers, 384 hidden, from the ONNX langchain4j ships on Maven Central) for
SST-2 sentiment and exports it to ONNX with logits, a pooled embedding and the last layer's attention.

Usage: train_attention.py --base-onnx all-minilm-l6-v2.onnx --train train.ids --dev dev.ids --out DIR
"""
import argparse
import json
import random
import time

import torch
import torch.nn.functional as F

import common
from minilm import SentimentTransformer, load_from_onnx
from quantize import quantize_weights


def evaluate(model, labels, seqs, batch_size=64):
    model.eval()
    correct = 0
    all_logits = []
    with torch.no_grad():
        for start in range(0, len(seqs), batch_size):
            ids, mask, _ = common.pad(seqs[start : start + batch_size])
            logits = model(ids, mask)[0]
            all_logits.append(logits)
            correct += int((logits.argmax(-1) == torch.tensor(labels[start : start + batch_size])).sum())
    model.train()
    return correct / max(1, len(seqs)), torch.cat(all_logits) if all_logits else None


def export(model, path, opset=14):
    model.eval()
    ids = torch.tensor([[101, 2023, 2003, 2307, 102], [101, 6659, 102, 0, 0]])
    mask = (ids != 0).long()
    # pooling_mask: which positions the embedding is pooled over (the message without its context).
    torch.onnx.export(
        model, (ids, mask, mask), path, opset_version=opset,
        input_names=["input_ids", "attention_mask", "pooling_mask"],
        output_names=["logits", "embedding", "attentions"],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                      "pooling_mask": {0: "batch", 1: "tokens"}, "logits": {0: "batch"}, "embedding": {0: "batch"},
                      "attentions": {0: "batch", 2: "tokens", 3: "tokens"}})


def export_only(weights, out):
    """Re-exports a trained checkpoint (after a change to the ONNX interface, not to the weights)."""
    model = SentimentTransformer()
    model.load_state_dict(torch.load(weights))
    float_path = f"{out}/model-float32.onnx"
    export(model, float_path)
    return quantize_weights(float_path, f"{out}/model.onnx")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base-onnx", required=True)
    p.add_argument("--train", required=True)
    p.add_argument("--dev", required=True)
    p.add_argument("--out", required=True, help="directory for model.onnx and training.json")
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=8e-5)
    p.add_argument("--limit", type=int, default=None, help="train on the first N examples only (smoke test)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--export-only", metavar="CHECKPOINT", help="skip training: export this best.pt")
    a = p.parse_args()
    if a.export_only:
        export_only(a.export_only, a.out)
        print(f"[attention] exported {a.out}/model.onnx from {a.export_only}", flush=True)
        return
    common.seed_everything(a.seed)
    common.set_threads()
    labels, seqs = common.read_ids(a.train, a.limit)
    dev_labels, dev_seqs = common.read_ids(a.dev)
    model = load_from_onnx(SentimentTransformer(), a.base_onnx)
    # The 30522x384 word-embedding table is frozen: half the parameters, a sparse signal on 67k short
    # phrases, and updating it densely every step would double the step time on a CPU.
    model.word.weight.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim >= 2]
    no_decay = [p for p in params if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr)
    rng = random.Random(a.seed)
    lengths = [len(s) for s in seqs]
    epoch_batches = common.ceil_div(len(seqs), a.batch_size)
    total = int(epoch_batches * a.epochs)
    sched = common.linear_schedule(opt, int(0.06 * total), total)
    progress = common.Progress("attention", total)
    step, best, history, started = 0, -1.0, [], time.time()
    model.train()
    while step < total:
        for batch in common.length_bucketed_batches(len(seqs), lengths, a.batch_size, rng):
            if step >= total:
                break
            ids, mask, _ = common.pad([seqs[i] for i in batch])
            y = torch.tensor([labels[i] for i in batch])
            logits = model(ids, mask)[0]
            loss = F.cross_entropy(logits, y)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            progress.step(step, loss=float(loss))
            if step % a.eval_every == 0 or step == total:
                acc, _ = evaluate(model, dev_labels, dev_seqs)
                history.append({"step": step, "dev_accuracy": acc})
                print(f"[attention] step {step} dev accuracy {acc:.4f}", flush=True)
                if acc > best:
                    best = acc
                    torch.save(model.state_dict(), f"{a.out}/best.pt")
    model.load_state_dict(torch.load(f"{a.out}/best.pt"))
    acc, _ = evaluate(model, dev_labels, dev_seqs)
    float_path = f"{a.out}/model-float32.onnx"
    export(model, float_path)
    quantized = quantize_weights(float_path, f"{a.out}/model.onnx")
    torch.save(model.state_dict(), f"{a.out}/best.pt")
    with open(f"{a.out}/training.json", "w") as f:
        json.dump({"model": "attention", "seed": a.seed, "epochs": a.epochs, "batch_size": a.batch_size,
                   "lr": a.lr, "train_examples": len(seqs), "steps": total, "selected_dev_accuracy_torch": acc,
                   "history": history, "quantized_initializers": quantized,
                   "train_seconds": round(time.time() - started)}, f, indent=2)
    print(f"[attention] exported {a.out}/model.onnx, dev accuracy (torch, float32) {acc:.4f}", flush=True)


if __name__ == "__main__":
    main()
