#!/usr/bin/env python3
"""A uniform "model soup": the element-wise mean of the weights of several fine-tuned exports of
the same task that started from the same pretrained encoder (Wortsman et al., 2022). Weights
fine-tuned from one start lie in one basin, so their mean is a model of its own — one forward
pass, not an ensemble — which is often better than either.

Usage: /usr/bin/python3 training/soup.py training/runs/export/a training/runs/export/b \
           --out training/runs/export/soup

Each input is a Hugging Face export (config.json, model.safetensors, spiece.model,
tokenizer_config.json, as finetune.py writes them); their configs must agree. The output is the
same layout: the mean weights (fp32) and the first input's other files.
"""
import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as M  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exports", nargs="+")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if len(args.exports) < 2:
        sys.exit("soup.py: give two or more exports")
    configs = [json.load(open(os.path.join(e, "config.json"))) for e in args.exports]
    if any(c != configs[0] for c in configs[1:]):
        sys.exit("soup.py: the exports' config.json differ; a soup needs one architecture and one label set")
    states = [M.load_safetensors(os.path.join(e, "model.safetensors")) for e in args.exports]
    names = set(states[0])
    if any(set(s) != names for s in states[1:]):
        sys.exit("soup.py: the exports hold different tensors")
    mean = {n: sum(s[n].float() for s in states) / len(states) for n in names}
    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.exports[0]):
        if f != "model.safetensors":
            shutil.copy(os.path.join(args.exports[0], f), os.path.join(args.out, f))
    M.save_safetensors(mean, os.path.join(args.out, "model.safetensors"), {"format": "pt", "soup_of": json.dumps(args.exports)})
    print(f"soup of {len(states)} exports ({len(names)} tensors) -> {args.out}", flush=True)


if __name__ == "__main__":
    main()
