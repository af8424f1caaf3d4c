#!/usr/bin/env python3
"""Teacher labels for IMDB train sentences (self-training data for `finetune.py --pseudo`).

SST-2 is single sentences and phrases from movie reviews; IMDB train reviews split into
sentences are the same kind of text, 10x more of it, but only labelled per review. This scores
every IMDB train sentence (the pretraining corpus's split, `data.py`) with one or more exported
sentiment models (mean of their logits) and stores the teacher's P(positive) next to the
review's label, so a student can be fine-tuned on SST-2 + IMDB + teacher-labelled sentences.

  /usr/bin/python3 training/pseudo_label.py --teacher training/runs/export/sent_r45 \
      --teacher training/runs/export/sent_ppmi45 --out training/runs/cache/pseudo_imdb_sents.npz

Only IMDB *train* text is used; nothing from the dev/val sets.
"""
import argparse
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
import runtime as R  # noqa: E402
from finetune import load_export, predict_logits  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teacher", action="append", required=True, help="exported HF dir (repeat for an ensemble)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", default=D.DEFAULT_DATA)
    ap.add_argument("--spm", default=D.DEFAULT_SPM)
    ap.add_argument("--min-tokens", type=int, default=4)
    ap.add_argument("--max-tokens", type=int, default=80)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--bf16", action="store_true")
    a = ap.parse_args()
    dev, bf16 = R.setup(a.threads, a.bf16)

    c = D.pretrain_corpus(a.data, a.spm)
    sents = D.Ragged(c["imdb_flat"], c["imdb_sent_off"])
    doc_off = c["imdb_doc_off"]
    _, doc_y = D.labeled_set("imdb_train", a.data, a.spm)
    assert len(doc_off) - 1 == len(doc_y)
    doc_of_sent = np.repeat(np.arange(len(doc_y)), np.diff(doc_off))
    lens = sents.lengths()
    keep = np.nonzero((lens >= a.min_tokens) & (lens <= a.max_tokens))[0]
    seqs = [sents[i] for i in keep]
    print(f"{len(sents)} IMDB train sentences, {len(keep)} with {a.min_tokens}-{a.max_tokens} tokens "
          f"({int(lens[keep].sum())} tokens)", flush=True)

    logits = np.zeros((len(seqs), 2), np.float32)
    for t in a.teacher:
        t0 = time.time()
        _, m = load_export(t)
        m.to(dev)
        logits += predict_logits(m, seqs, bs=128, bf16=bf16) / len(a.teacher)
        print(f"teacher {t}: {time.time() - t0:.0f} s", flush=True)
    p = torch.softmax(torch.from_numpy(logits), -1)[:, 1].numpy()
    dy = doc_y[doc_of_sent[keep], 0]
    agree = float(((p > 0.5) == (dy > 0.5)).mean())
    print(f"teacher P(pos) mean {p.mean():.3f}; agrees with the review's label on {agree:.3f}; "
          f"confident (>0.9 or <0.1) {float(((p > 0.9) | (p < 0.1)).mean()):.3f}", flush=True)
    flat, off = D._ragged(seqs)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    np.savez(a.out + ".tmp.npz", flat=flat, off=off, p_teacher=p.astype(np.float32), doc_label=dy.astype(np.float32),
             teachers=np.array(a.teacher))
    os.replace(a.out + ".tmp.npz", a.out)
    print("wrote", a.out, flush=True)


if __name__ == "__main__":
    main()
