#!/usr/bin/env python3
"""Checks tok.py against the tokenizer goldens and model.py against the fixture's golden logits.

Usage: /usr/bin/python3 training/check_reference.py [--shared /work/shared]
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import AlbertForSequenceClassification, load_safetensors  # noqa: E402
from tok import AlbertTok  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    tok = AlbertTok(os.path.join(a.shared, "tokenizer", "spiece.model"))
    bad = 0
    n = 0
    for line in open(os.path.join(a.shared, "golden", "tokenizer.jsonl")):
        r = json.loads(line)
        n += 1
        got = [2] + tok.encode(r["text"]) + [3]
        if got != r["ids"]:
            bad += 1
            if bad <= 5:
                print("TOKENIZER MISMATCH", repr(r["text"][:80]), got[:20], r["ids"][:20])
    print(f"tokenizer: {n - bad}/{n} exact")

    ck = os.path.join(a.shared, "checkpoints", "albert-sst2-mini")
    cfg = json.load(open(os.path.join(ck, "config.json")))
    cfg["num_labels"] = len(cfg["id2label"])
    m = AlbertForSequenceClassification(cfg)
    sd = load_safetensors(os.path.join(ck, "model.safetensors"))
    missing, unexpected = m.load_state_dict(sd, strict=False)
    print("missing", missing, "unexpected", unexpected)
    m.eval()
    maxd = 0.0
    n = 0
    with torch.no_grad():
        for line in open(os.path.join(a.shared, "golden", "albert-sst2-mini.logits.jsonl")):
            r = json.loads(line)
            ids = torch.tensor([r["ids"]])
            lg = m(ids)[0]
            d = (lg - torch.tensor(r["logits"])).abs().max().item()
            maxd = max(maxd, d)
            n += 1
    print(f"logits: {n} rows, max |diff| = {maxd:.2e}")
    ok = bad == 0 and maxd < 1e-4 and not missing and not unexpected
    print("OK" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
