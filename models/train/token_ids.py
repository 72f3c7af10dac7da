"""Token-id files written by `streamnlp tokenize`, and the label order of the shipped models. Free of torch,
so the quantization step (which runs without it) reads the same files the same way."""

PAD_ID = 0  # [PAD] in the BERT uncased vocabulary both models share
LABELS = ["negative", "neutral", "positive"]  # the models' classes, in logit order
POLAR = [0, 2]  # logits of the two poles, for data that only knows negative/positive
# `streamnlp tokenize` writes the label as the file has it: names (SemEval) or SST-2's 0/1.
LABEL_INDEX = {"negative": 0, "neutral": 1, "positive": 2, "0": 0, "1": 2}
SEP_ID = 102  # [SEP]: a truncated message still ends with it, as the stream's tokenizer does


def read_ids(path, limit=None, max_len=None):
    """Reads `label<TAB>ids` lines written by `streamnlp tokenize` into (labels, [ids]); labels are indexes
    into LABELS. Sequences longer than max_len keep their first max_len - 1 tokens and [SEP]."""
    labels, seqs = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            label, ids = line.rstrip("\n").split("\t")
            if label not in LABEL_INDEX:
                raise ValueError(f"{path}: unknown label {label!r} (expected one of {sorted(LABEL_INDEX)})")
            labels.append(LABEL_INDEX[label])
            seq = [int(t) for t in ids.split()]
            if max_len is not None and len(seq) > max_len:
                seq = seq[: max_len - 1] + [SEP_ID]
            seqs.append(seq)
            if limit is not None and len(labels) >= limit:
                break
    return labels, seqs
