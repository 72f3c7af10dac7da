"""Interpolates the weights of two checkpoints of the transformer recipe (same architecture, one fine-tuned from
the other): (1 - alpha) * A + alpha * B, for each alpha, measured on dev the way context_attention.py selects
(single messages, SST-2 dev, after-context, dev conversations); the best dev selection is exported.

Why: the all-layers continuation (train_attention.py --init-onnx) reads single tweets better, the conversation
stage after it reads a key's window better and gives back part of the single-message gain; a point between two
fine-tunes of one model often keeps more of both than either end (weight averaging, "model soups"). The choice is
on dev only, as every other choice of the recipe.

    interpolate_attention.py --a A.pt|A.onnx --b B.pt|B.onnx --alphas 0,0.25,0.5,0.75,1 --base-onnx BASE.onnx \
        --dev DEV.ids --dev-polar SST2DEV.ids --dev-conversations CONV.jsonl --out DIR
"""
import argparse
import json

import torch

import common
from context_attention import dev_figures
from conversations import read_conversations
from minilm import load_exported, load_from_onnx
from train_attention import export_only, forward_all, new_model


def weights(path):
    if path.endswith(".onnx"):
        return load_exported(new_model(), path).state_dict()
    return torch.load(path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--a", required=True)
    p.add_argument("--b", required=True)
    p.add_argument("--alphas", default="0,0.25,0.5,0.75,1")
    p.add_argument("--base-onnx", required=True, help="the untouched base model: the embedding's reference")
    p.add_argument("--dev", required=True)
    p.add_argument("--dev-polar", required=True)
    p.add_argument("--dev-conversations", required=True)
    p.add_argument("--eval-window", type=int, default=128)
    p.add_argument("--max-tokens", type=int, default=256)
    p.add_argument("--max-len", type=int, default=64)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    common.set_threads()
    dev = common.read_ids(a.dev, None, a.max_len)
    dev_polar = common.read_ids(a.dev_polar, None, a.max_len)
    dev_convs = read_conversations(a.dev_conversations, a.max_len)
    base = load_from_onnx(new_model(), a.base_onnx).eval()
    _, dev_base = forward_all(base, dev[1])
    wa, wb = weights(a.a), weights(a.b)
    model = new_model()
    best, history = None, []
    for alpha in [float(x) for x in a.alphas.split(",")]:
        mixed = {k: (1 - alpha) * wa[k] + alpha * wb[k] if wa[k].is_floating_point() else wa[k] for k in wa}
        model.load_state_dict(mixed)
        model.eval()
        result = {**dev_figures(model, dev, dev_polar, dev_base, dev_convs, a.eval_window, a.max_tokens),
                  "alpha": alpha}
        result["selection"] = common.conversation_selection(result)
        history.append(result)
        print(f"[interpolate] {json.dumps(result)}", flush=True)
        if best is None or result["selection"] > best["selection"]:
            best = result
            torch.save(mixed, f"{a.out}/best.pt")
    quantized = export_only(f"{a.out}/best.pt", a.out)
    with open(f"{a.out}/training.json", "w") as f:
        json.dump({"model": "attention", "stage": "interpolation", "a": common.sha256(a.a), "b": common.sha256(a.b),
                   "selected": best, "history": history, "quantized_initializers": quantized}, f, indent=2)
    print(f"[interpolate] exported {a.out}/model.onnx, alpha {best['alpha']}", flush=True)


if __name__ == "__main__":
    main()
