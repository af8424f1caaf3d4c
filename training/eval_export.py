#!/usr/bin/env python3
"""Evaluate an exported Hugging Face checkpoint directory in PyTorch fp32 (round-trip check of
the export): SST-2 dev accuracy for single-label (negative/positive) models, TweetEval hate and
offensive val macro-F1 for multi-label (hate/offensive) models.

Usage: /usr/bin/python3 training/eval_export.py training/runs/export/sentiment [MORE ...] [--split select|dev]

--split select (default) scores the selection split carved from train (splits.py), the one to
choose on; --split dev the reported dev/val sets.

With several exports of the same task it also scores their ensemble (mean logits).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
from finetune import build_evals, export_task, load_export, predict_logits, scores  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exports", nargs="+")
    ap.add_argument("--data", default=D.DEFAULT_DATA)
    ap.add_argument("--spm", default=D.DEFAULT_SPM)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--split", choices=["select", "dev"], default="select")
    a = ap.parse_args()
    torch.set_num_threads(1)
    all_logits, task, evals = [], None, None
    for export in a.exports:
        cfg, m = load_export(export)
        t = export_task(cfg)
        assert task in (None, t), "exports of different tasks"
        if evals is None:
            task, evals = t, build_evals(t, a, a.split)
        logits = [predict_logits(m, seqs) for _, seqs, _, _ in evals]
        all_logits.append(logits)
        print(json.dumps({"export": export, "task": task, "split": a.split, **scores(task, evals, logits)}), flush=True)
    if len(all_logits) > 1:
        mean = [np.mean([lg[k] for lg in all_logits], 0) for k in range(len(evals))]
        print(json.dumps({"ensemble": a.exports, "task": task, **scores(task, evals, mean)}), flush=True)


if __name__ == "__main__":
    main()
