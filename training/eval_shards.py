#!/usr/bin/env python3
"""Evaluate converted int8 shards through the product's own CLI (`albert-edge classify`), i.e.
the exact TypeScript tokenizer and the engine the Worker uses (our WASM engine, the CLI's default).

  /usr/bin/python3 training/eval_shards.py --model model-shards/sentiment --task sentiment
  /usr/bin/python3 training/eval_shards.py --model model-shards/moderation --task moderation

sentiment: SST-2 dev accuracy (872 sentences). moderation: TweetEval offensive and hate val
macro-F1, flag = that label's sigmoid score >= its threshold: --thresholds hate=T,offensive=T, else
the manifest's `thresholds`, else --threshold (default 0.5). Prints one JSON line.
--split select scores the selection split carved from train instead (splits.py: 800 SST-2 train
sentences; 10% of TweetEval offensive / hate train): the figure to choose on; dev/val are
reported once for what ships. Needs no Python packages beyond the standard library; run from
the repo root.
--depth full | N: run every layer (`--full-depth`) or early exit with patience N (`--patience N`)
instead of the manifest's setting; --early-exit-table: the figures for full depth and patience
1..5, each with the mean number of layers that ran and the share of predictions that differ from
full depth's (one JSON line per setting).
--tune-thresholds (moderation, --split select): per label, the threshold in 0.05..0.95 (step 0.05)
with the best macro-F1 on the selection split (ties: nearest 0.5), as rule 4 of RESULTS.md says;
prints them as `thresholds` (give them to `albert-edge thresholds`).
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import splits  # noqa: E402  (standard library only)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(os.path.dirname(ROOT), "shared", "datasets")


def classify(model_dir, texts, depth=None):
    """Runs the CLI once over all texts; returns one {"label","score","logits","layers"} per text.
    depth: None (the manifest's setting), "full", or a patience (int)."""
    lines = "".join(json.dumps({"text": t}) + "\n" for t in texts)
    extra = [] if depth is None else ["--full-depth"] if depth == "full" else ["--patience", str(depth)]
    out = subprocess.run(
        ["npm", "run", "--silent", "albert-edge", "--", "classify", "--model", model_dir, *extra],
        input=lines, capture_output=True, text=True, cwd=ROOT, check=False,
    )
    if out.returncode != 0:
        sys.exit(f"albert-edge classify failed ({out.returncode}): {out.stderr[-2000:]}")
    results = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    if len(results) != len(texts):
        sys.exit(f"classify gave {len(results)} results for {len(texts)} texts")
    return results


def classify_all(model_dir, texts, depth=None):
    """classify() for texts that may be blank (TweetEval hate train has a few empty tweets, which
    the product refuses as the API does): those get no result (None) and count as not flagged."""
    sent = [i for i, t in enumerate(texts) if t.strip()]
    out = [None] * len(texts)
    for i, r in zip(sent, classify(model_dir, [texts[i] for i in sent], depth)):
        out[i] = r
    return out


def macro_f1(gold, pred):
    f1s = []
    for c in (0, 1):
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred) if g == c and p != c)
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / 2


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def sigmoid_scores(manifest, result):
    import math
    return {label: 1 / (1 + math.exp(-z)) for label, z in zip(manifest["labels"], result["logits"])}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="shard directory (holds manifest.json)")
    ap.add_argument("--task", choices=["sentiment", "moderation"], required=True)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--threshold", type=float, default=0.5, help="for labels with no other threshold")
    ap.add_argument("--thresholds", default=None, help="per label: hate=0.4,offensive=0.35 (else the manifest's)")
    ap.add_argument("--tune-thresholds", action="store_true", help="choose per-label thresholds on the selection split")
    ap.add_argument("--split", choices=["dev", "select"], default="dev")
    ap.add_argument("--depth", default=None, help="full | N (patience N) instead of the manifest's early-exit setting")
    ap.add_argument("--early-exit-table", action="store_true", help="full depth and patience 1..5, one JSON line each")
    a = ap.parse_args()
    if a.tune_thresholds and (a.task != "moderation" or a.split != "select"):
        ap.error("--tune-thresholds is for --task moderation --split select")
    sets = eval_sets(a)
    if a.early_exit_table:
        full = evaluate(a, sets, "full")
        for depth in [1, 2, 3, 4, 5]:
            evaluate(a, sets, depth, full)
        return
    evaluate(a, sets, None if a.depth is None else a.depth if a.depth == "full" else int(a.depth))


def eval_sets(a):
    """{set: (texts, gold)} for the task and split, read once per run (building the SST-2
    selection split takes seconds)."""
    if a.task == "sentiment":
        if a.split == "select":
            return {"sst2": splits.selection_texts(a.data, "sst2_select")}
        rows = [line.split("\t") for line in read_lines(os.path.join(a.data, "sst2", "dev.tsv"))[1:] if line.strip()]
        return {"sst2": ([r[0].strip() for r in rows], [int(r[1]) for r in rows])}
    sets = {}
    for task in ("offensive", "hate"):
        if a.split == "select":
            sets[task] = splits.selection_texts(a.data, f"{task}_select")
        else:
            folder = os.path.join(a.data, "tweeteval", task)
            gold = [int(x) for x in read_lines(os.path.join(folder, "val_labels.txt")) if x.strip()]
            sets[task] = (read_lines(os.path.join(folder, "val_text.txt"))[: len(gold)], gold)
    return sets


def evaluate(a, sets, depth, full=None):
    """Scores one setting on `sets` (eval_sets) and prints its JSON line; returns its predictions
    ({set: [label]}). full: full depth's predictions, to report the share of texts whose prediction
    early exit changed (`changed_vs_full`: what early exit can cost, whatever the gold labels)."""
    preds = {}
    model_dir = os.path.abspath(a.model)
    with open(os.path.join(model_dir, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    thresholds = label_thresholds(a, manifest)
    report = {"model": manifest["id"], "version": manifest["version"], "quantization": manifest.get("quantization"),
              "split": a.split, "depth": "manifest" if depth is None else depth}

    if a.task == "sentiment":
        texts, gold = sets["sst2"]
        results = classify(model_dir, texts, depth)
        report["mean_layers"] = sum(r["layers"] for r in results) / len(results)
        positive = manifest["labels"].index("positive")
        pred = [1 if max(range(len(r["logits"])), key=lambda i: r["logits"][i]) == positive else 0 for r in results]
        report["sst2_dev_accuracy" if a.split == "dev" else "sst2_select_accuracy"] = sum(int(p == g) for p, g in zip(pred, gold)) / len(gold)
        report["n"] = len(gold)
        preds["sst2"] = pred
    else:
        for task, (texts, gold) in sets.items():
            results = classify_all(model_dir, texts, depth)
            ran = [r for r in results if r is not None]
            report[f"tweeteval_{task}_mean_layers"] = sum(r["layers"] for r in ran) / len(ran)
            if len(ran) < len(results):
                report[f"tweeteval_{task}_blank_texts"] = len(results) - len(ran)
            scores = [0.0 if r is None else sigmoid_scores(manifest, r)[task] for r in results]
            if a.tune_thresholds:
                grid = [round(0.05 * k, 2) for k in range(1, 20)]
                f1_at = {t: macro_f1(gold, [int(x >= t and r is not None) for x, r in zip(scores, results)]) for t in grid}
                chosen = max(grid, key=lambda t: (round(f1_at[t], 10), -abs(t - 0.5)))
                report.setdefault("thresholds", {})[task] = chosen
                report[f"tweeteval_{task}_select_macro_f1_at_0.5"] = f1_at[0.5]
            threshold = report.get("thresholds", {}).get(task) if a.tune_thresholds else thresholds[task]
            report.setdefault("used_thresholds", {})[task] = threshold
            pred = [0 if r is None else int(x >= threshold) for x, r in zip(scores, results)]
            report[f"tweeteval_{task}_{'val' if a.split == 'dev' else 'select'}_macro_f1"] = macro_f1(gold, pred)
            report[f"tweeteval_{task}_n"] = len(gold)
            preds[f"tweeteval_{task}"] = pred
    if full is not None:
        for key, pred in preds.items():
            report[f"{key}_changed_vs_full"] = sum(int(p != q) for p, q in zip(pred, full[key])) / len(pred)
    print(json.dumps(report))
    return preds


def label_thresholds(a, manifest):
    """Per label: --thresholds, else the manifest's `thresholds`, else --threshold."""
    out = {label: a.threshold for label in manifest["labels"]}
    out.update(manifest.get("thresholds", {}))
    if a.thresholds:
        for part in a.thresholds.split(","):
            label, value = part.split("=")
            out[label.strip()] = float(value)
    return out


if __name__ == "__main__":
    main()
