#!/usr/bin/env python3
"""A uniform "model soup": the element-wise mean of the weights of several fine-tuned exports of
the same task that started from the same pretrained encoder (Wortsman et al., 2022). Weights
fine-tuned from one start lie in one basin, so their mean is a model of its own — one forward
pass, not an ensemble — which is often better than either.

Usage: /usr/bin/python3 training/soup.py training/runs/export/a training/runs/export/b \
           --out training/runs/export/soup [--greedy]

--greedy makes the greedy soup of the same paper instead of the uniform one: the exports are scored
on the selection split (PyTorch fp32; sentiment accuracy, moderation the mean of the two macro-F1s;
never dev), sorted best first (ties keep the order given), and each is added to the soup only if the
mean with it does not score lower than the soup without it.

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


def selection_scorer(export_dir):
    """A function scoring a state dict (in export_dir's architecture) on the selection split, fp32:
    finetune.py's own selection score (sentiment accuracy, moderation mean macro-F1)."""
    import torch
    import data as D
    from finetune import build_evals, export_task, load_export, main_score, predict_logits, scores

    torch.set_num_threads(1)
    cfg, m = load_export(export_dir)
    task = export_task(cfg)
    evals = build_evals(task, argparse.Namespace(data=D.DEFAULT_DATA, spm=D.DEFAULT_SPM, max_len=128), "select")

    def score(state):
        m.load_state_dict(state)
        return main_score(task, evals, scores(task, evals, [predict_logits(m, seqs) for _, seqs, _, _ in evals]))

    return score


def mean_of(states):
    return {n: sum(s[n].float() for s in states) / len(states) for n in states[0]}


def greedy(exports, states):
    """Greedy soup: the indices of the exports kept, best first, and the soup's selection score."""
    score = selection_scorer(exports[0])
    alone = [score(s) for s in states]
    for e, v in zip(exports, alone):
        print(json.dumps({"export": e, "select": v}), flush=True)
    order = sorted(range(len(states)), key=lambda i: -alone[i])
    kept, best = [order[0]], alone[order[0]]
    for i in order[1:]:
        v = score(mean_of([states[k] for k in kept + [i]]))
        print(json.dumps({"try": [exports[k] for k in kept + [i]], "select": v, "kept": v >= best}), flush=True)
        if v >= best:
            kept, best = kept + [i], v
    return kept, best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exports", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--greedy", action="store_true", help="greedy soup on the selection split (see above)")
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
    if args.greedy:
        kept, best = greedy(args.exports, states)
        args.exports = [args.exports[k] for k in kept]
        states = [states[k] for k in kept]
        print(json.dumps({"greedy_soup": args.exports, "select": best}), flush=True)
    mean = mean_of(states)
    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.exports[0]):
        if f != "model.safetensors":
            shutil.copy(os.path.join(args.exports[0], f), os.path.join(args.out, f))
    M.save_safetensors(mean, os.path.join(args.out, "model.safetensors"), {"format": "pt", "soup_of": json.dumps(args.exports)})
    print(f"soup of {len(states)} exports ({len(names)} tensors) -> {args.out}", flush=True)


if __name__ == "__main__":
    main()
