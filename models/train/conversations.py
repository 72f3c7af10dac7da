"""Conversation files written by `streamnlp conversations --with-ids`: one key's messages, each with its token ids
and its gold label in that context (the last message's label follows from the anchor by the conversation's kind).
Free of torch, like token_ids."""
import json
import random

from token_ids import LABEL_INDEX, SEP_ID


def read_conversations(path, max_len=None, limit=None):
    """[(kind, distance, [(label index, ids)])]; a message longer than max_len keeps its first max_len - 1 tokens
    and [SEP], as token_ids.read_ids does."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            c = json.loads(line)
            messages = []
            for m in c["messages"]:
                if "ids" not in m:
                    raise ValueError(f"{path} line {n}: no token ids; write it with `streamnlp conversations --with-ids`")
                ids = m["ids"]
                if max_len is not None and len(ids) > max_len:
                    ids = ids[: max_len - 1] + [SEP_ID]
                messages.append((LABEL_INDEX[m["label"]], ids))
            out.append((c["kind"], c["distance"], messages))
            if limit is not None and len(out) >= limit:
                break
    return out


def window_before(messages, i, window):
    """The context the stream's attention encoder gives message i: the newest `window` tokens of the earlier
    messages, each without its [CLS] and [SEP] (ContextWindow.appendMessage)."""
    tokens = []
    for _, ids in messages[:i]:
        tokens.extend(ids[1:-1])
    return tokens[-window:] if window > 0 else []


def earlier_partners(n, seed=13):
    """For each of n messages, the index of another one drawn with `seed`: its unrelated earlier message."""
    rng = random.Random(seed)
    return [(i + 1 + rng.randrange(n - 1)) % n for i in range(n)]


def add_stage_arguments(p, model):
    """The arguments both conversation stages (context_gru.py, context_attention.py) take."""
    p.add_argument("--init-onnx", required=True, help=f"the context-free {model} to continue from")
    p.add_argument("--teacher-onnx", help="the model single messages are distilled to (default: --init-onnx)")
    p.add_argument("--conversations", required=True)
    p.add_argument("--dev-conversations", required=True)
    p.add_argument("--train", required=True, help="three-class training ids (tweets), for single messages")
    p.add_argument("--extra", help="binary (polar-only) training ids, e.g. SST-2")
    p.add_argument("--dev", required=True)
    p.add_argument("--dev-polar")
    p.add_argument("--out", required=True)
    p.add_argument("--max-len", type=int, default=64, help="truncation of each message")
    p.add_argument("--temperature", type=float, default=2.0)
    p.add_argument("--max-steps", type=int, default=None, help="stop after this many steps")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--device", default="auto", help="cpu, cuda or auto (the GPU when there is one)")
