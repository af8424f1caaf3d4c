#!/usr/bin/env python3
"""Score converted NER shards (token classification) through the product's own CLI
(`albert-edge classify`): the TypeScript tokenizer and the runtime the Worker uses.

  /usr/bin/python3 training/eval_ner_shards.py --model model-shards/ner [--split dev|select] [--decoding argmax|bio]
  /usr/bin/python3 training/eval_ner_shards.py --self-test

Each CoNLL-2003 sentence goes in as one JSON line {"text": <words joined by single spaces>}; each
output line must hold {"ids", "offsets", "token_logits", "entities"}: `offsets` one [start, end]
per position (null for [CLS]/[SEP]) in UTF-16 code units of the text, `token_logits` one row of
label logits per position. Each word is mapped to its FIRST piece by offsets (the first position
whose span overlaps the word's character span; a zero-width piece counts if it starts inside the
word); argmax of that row -> the word's tag (label order from manifest.json `labels`); a word with
no piece (truncated) is tagged O. With --decoding, the tags are the product's own instead: the CLI
runs with `--aggregation first --decoding <d>` and each word takes the type of the entity that
covers it (B- for the entity's first word, I- after; O outside), so a decoder inside the product
(`bio`: the most probable valid IOB2 sequence) is what gets scored. Metric: entity-level F1, exact span and type, seqeval semantics
(ner_f1.py), per type and overall. --split select scores the selection split carved from train
(splits.py: the 1,000 sentences checkpoints are chosen on); dev (default) is dev.txt, to report
once for what ships. Standard library only; run from the repo root. Prints one JSON line.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import splits  # noqa: E402  (standard library only)
from conll import read_conll  # noqa: E402
from ner_f1 import f1_report  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(os.path.dirname(ROOT), "shared", "datasets")


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def word_spans(words):
    """(text, [(start, end)] per word in UTF-16 code units of text = words joined by single spaces)."""
    spans, pos = [], 0
    for w in words:
        n = utf16_len(w)
        spans.append((pos, pos + n))
        pos += n + 1
    return " ".join(words), spans


def first_pieces(spans, offsets):
    """Position of each word's first piece (or -1): the first position, in order, whose [s, e)
    overlaps the word's [ws, we), or a zero-width one with ws <= s < we."""
    out = []
    for ws, we in spans:
        pos = -1
        for p, off in enumerate(offsets):
            if off is None:
                continue
            s, e = off
            if max(s, ws) < min(e, we) or (s == e and ws <= s < we):
                pos = p
                break
        out.append(pos)
    return out


def tags_from_line(words, result, labels):
    """Word-level tags from one CLI output line."""
    _, spans = word_spans(words)
    offsets, logits = result["offsets"], result["token_logits"]
    if len(offsets) != len(logits):
        raise ValueError(f"offsets ({len(offsets)}) and token_logits ({len(logits)}) differ in length")
    tags = []
    for p in first_pieces(spans, offsets):
        if p < 0:
            tags.append("O")
        else:
            row = logits[p]
            tags.append(labels[max(range(len(row)), key=lambda i: row[i])])
    return tags


def tags_from_entities(words, result):
    """Word-level tags from one CLI output line's `entities` (aggregation first: whole words)."""
    _, spans = word_spans(words)
    tags = ["O"] * len(words)
    for e in result["entities"]:
        inside = [i for i, (ws, we) in enumerate(spans) if e["start"] <= ws and we <= e["end"]]
        for k, i in enumerate(inside):
            tags[i] = ("B-" if k == 0 else "I-") + e["label"]
    return tags


def classify(model_dir, texts, extra):
    lines = "".join(json.dumps({"text": t}) + "\n" for t in texts)
    out = subprocess.run(["npm", "run", "--silent", "albert-edge", "--", "classify", "--model", model_dir] + extra,
                         input=lines, capture_output=True, text=True, cwd=ROOT, check=False)
    if out.returncode != 0:
        sys.exit(f"albert-edge classify failed ({out.returncode}): {out.stderr[-2000:]}")
    results = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    if len(results) != len(texts):
        sys.exit(f"classify gave {len(results)} results for {len(texts)} texts")
    missing = [k for k in ("ids", "offsets", "token_logits", "entities") if k not in results[0]]
    if missing:
        sys.exit(f"classify output lacks {missing}: is {model_dir} a token-classification model?")
    return results


def self_test():
    """Word mapping on a synthetic CLI line (no model needed)."""
    labels = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
    words = ["EU", "rejects", "German", "1996-08-22", "Müller", "call"]
    text, spans = word_spans(words)
    assert text == "EU rejects German 1996-08-22 Müller call"
    assert spans == [(0, 2), (3, 10), (11, 17), (18, 28), (29, 35), (36, 40)], spans
    # pieces: [CLS] ▁eu ▁reject s ▁german ▁ 1996 -08-22 ▁muller [SEP] (call truncated);
    # "▁reject" is given with its leading space, "▁" zero-width at the word start.
    offsets = [None, [0, 2], [2, 9], [9, 10], [11, 17], [18, 18], [18, 22], [22, 28], [29, 35], None]
    row = lambda k: [5.0 if i == k else 0.0 for i in range(len(labels))]  # noqa: E731
    token_logits = [row(0), row(3), row(0), row(4), row(7), row(0), row(1), row(2), row(1), row(0)]
    assert first_pieces(spans, offsets) == [1, 2, 4, 5, 8, -1]
    line = {"ids": [2] + [9] * 8 + [3], "offsets": offsets, "token_logits": token_logits, "entities": []}
    tags = tags_from_line(words, json.loads(json.dumps(line)), labels)
    assert tags == ["B-ORG", "O", "B-MISC", "O", "B-PER", "O"], tags
    gold = ["B-ORG", "O", "B-MISC", "O", "B-PER", "I-PER"]
    r = f1_report([gold], [tags])
    assert r["overall"]["f1"] == 0.6667 and r["PER"]["f1"] == 0.0, r  # PER span too short: 2 of 3 entities
    ents = {"entities": [{"label": "ORG", "start": 0, "end": 2}, {"label": "MISC", "start": 11, "end": 17},
                         {"label": "PER", "start": 29, "end": 40}]}
    assert tags_from_entities(words, ents) == ["B-ORG", "O", "B-MISC", "O", "B-PER", "I-PER"]
    try:
        tags_from_line(words, {"offsets": offsets, "token_logits": token_logits[:-1]}, labels)
        raise AssertionError("length mismatch not caught")
    except ValueError:
        pass
    print("eval_ner_shards self-test ok")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="shard directory (holds manifest.json)")
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--split", choices=["dev", "select"], default="dev")
    ap.add_argument("--max-length", type=int, default=None, help="passed to the CLI (default: the product's)")
    ap.add_argument("--engine", default=None, help="passed to the CLI (wasm | ort)")
    ap.add_argument("--decoding", choices=["argmax", "bio"], default=None,
                    help="score the product's entities (--aggregation first --decoding D) instead of per-word argmax of the logits")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    if a.self_test:
        self_test()
        return
    if not a.model:
        ap.error("--model is required")
    model_dir = os.path.abspath(a.model)
    with open(os.path.join(model_dir, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    labels = manifest["labels"]
    sents = read_conll(a.data, "train" if a.split == "select" else "dev")
    if a.split == "select":
        idx, _ = splits.conll_selection(a.data)
        sents = [sents[i] for i in idx]
    extra = (["--max-length", str(a.max_length)] if a.max_length else []) + (["--engine", a.engine] if a.engine else [])
    if a.decoding:
        extra += ["--aggregation", "first", "--decoding", a.decoding]
    results = classify(model_dir, [" ".join(w) for w, _ in sents], extra)
    if a.decoding:
        pred = [tags_from_entities(w, r) for (w, _), r in zip(sents, results)]
    else:
        pred = [tags_from_line(w, r, labels) for (w, _), r in zip(sents, results)]
    no_piece = sum(p < 0 for (w, _), r in zip(sents, results) for p in first_pieces(word_spans(w)[1], r["offsets"]))
    rep = f1_report([t for _, t in sents], pred)
    print(json.dumps({"model": manifest["id"], "version": manifest.get("version"), "decoding": a.decoding or "logits argmax",
                      "quantization": manifest.get("quantization"), "split": a.split, "sentences": len(sents),
                      "words_without_piece": no_piece, "entity_f1": rep}))


if __name__ == "__main__":
    main()
