#!/usr/bin/env python3
"""Evaluate an exported Hugging Face checkpoint directory in PyTorch fp32 (round-trip check of
the export): SST-2 dev accuracy for single-label (negative/positive) models, TweetEval hate and
offensive val macro-F1 for multi-label (hate/offensive) models.

Usage: /usr/bin/python3 training/eval_export.py training/runs/export/sentiment [--data DIR]
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
from finetune import build_evals, evaluate  # noqa: E402
from model import AlbertForSequenceClassification, load_safetensors  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("export")
    ap.add_argument("--data", default=D.DEFAULT_DATA)
    ap.add_argument("--spm", default=D.DEFAULT_SPM)
    ap.add_argument("--max-len", type=int, default=128)
    a = ap.parse_args()
    torch.set_num_threads(1)
    cfg = json.load(open(os.path.join(a.export, "config.json")))
    cfg["num_labels"] = len(cfg["id2label"])
    m = AlbertForSequenceClassification(cfg)
    missing, unexpected = m.load_state_dict(load_safetensors(os.path.join(a.export, "model.safetensors")), strict=False)
    assert not missing and not unexpected, (missing, unexpected)
    task = "moderation" if cfg.get("problem_type") == "multi_label_classification" else "sentiment"
    score, res = evaluate(m, task, build_evals(task, a))
    print(json.dumps({"export": a.export, "task": task, **res}))


if __name__ == "__main__":
    main()
