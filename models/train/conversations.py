"""Conversation files written by `streamnlp conversations --with-ids`: one key's messages, each with its token ids
and its gold label in that context (the last message's label follows from the anchor by the conversation's kind).
Free of torch, like token_ids."""
import json

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
