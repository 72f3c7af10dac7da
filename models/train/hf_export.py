"""Writes a model in the layout of a Hugging Face ONNX text-classification export, as Optimum writes it
(model.onnx with inputs input_ids, attention_mask, token_type_ids and the output logits; config.json with
id2label; tokenizer.json), to try `streamnlp import-model` on a classification export:

  hf_export.py --weights work/attention/best.pt --tokenizer models/minilm-l6-sentiment3/tokenizer.json --out DIR
      the fine-tuned transformer, float32 (about 90 MB; not committed)
  hf_export.py --tiny --out streamnlp-app/src/test/resources/hf-export/tiny-text-classification
      a 1-layer, 16-wide BERT with seeded random weights (about 2 MB, no tokenizer: the test copies the shipped
      one), committed for ImportModelTest: it checks the import's decisions and loading, not tagging quality
"""
import argparse
import json
import os
import shutil

import torch
from torch import nn

import common
from minilm import SentimentTransformer


class Classification(nn.Module):
    """logits only, from the three inputs a BERT export takes: what a text-classification export gives."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.model(input_ids, attention_mask, None, token_type_ids)[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weights")
    p.add_argument("--tokenizer")
    p.add_argument("--tiny", action="store_true")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    common.seed_everything(13)
    if a.tiny:
        model = SentimentTransformer(hidden=16, layers=1, heads=2, intermediate=32, labels=len(common.LABELS))
        config = {"model_type": "bert", "architectures": ["BertForSequenceClassification"], "hidden_size": 16,
                  "num_hidden_layers": 1, "num_attention_heads": 2, "max_position_embeddings": 512}
    else:
        import train_attention
        model = train_attention.new_model()
        model.load_state_dict(torch.load(a.weights))
        config = {"model_type": "bert", "architectures": ["BertForSequenceClassification"], "hidden_size": 384,
                  "num_hidden_layers": 6, "num_attention_heads": 12, "max_position_embeddings": 512}
    config["id2label"] = {str(i): label for i, label in enumerate(common.LABELS)}
    config["label2id"] = {label: i for i, label in enumerate(common.LABELS)}
    config["vocab_size"] = 30522
    model.eval()
    os.makedirs(a.out, exist_ok=True)
    ids = torch.tensor([[101, 2023, 2003, 2307, 102], [101, 6659, 102, 0, 0]])
    mask = (ids != 0).long()
    torch.onnx.export(
        Classification(model), (ids, mask, torch.zeros_like(ids)), f"{a.out}/model.onnx", opset_version=14,
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
        dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                      "attention_mask": {0: "batch_size", 1: "sequence_length"},
                      "token_type_ids": {0: "batch_size", 1: "sequence_length"}, "logits": {0: "batch_size"}})
    with open(f"{a.out}/config.json", "w") as f:
        json.dump(config, f, indent=2)
    if a.tokenizer:
        shutil.copy(a.tokenizer, f"{a.out}/tokenizer.json")
    print(f"[hf_export] wrote {a.out}", flush=True)


if __name__ == "__main__":
    main()
