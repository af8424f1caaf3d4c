#!/usr/bin/env python3
"""Word-embedding initialization from co-occurrence statistics (PPMI + truncated SVD).

A cheap alternative to masked-LM pretraining on one CPU thread: count how often each pair of
SentencePiece ids occurs within a window of the pretraining corpus (the same TRAIN-split text
as pretrain.py: IMDB reviews, SST-2 phrases, TweetEval hate/offensive + Davidson tweets),
turn the counts into positive pointwise mutual information (context-distribution smoothing
0.75, Levy et al. 2015), and keep the top singular directions as E-dimensional embeddings
(U * sqrt(S)). Pieces never seen keep a random N(0, 0.02) row. Takes ~30 s and writes
runs/embed/ppmi_svd_<E>.npy (float32 [vocab, E]); finetune.py --init-embeddings loads it into
albert.embeddings.word_embeddings before fine-tuning.
"""
import argparse
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402


def cooccurrence(seqs, vocab, window):
    """Symmetric co-occurrence counts, weighted 1/distance, within each sequence."""
    rows, cols, vals = [], [], []
    for flat, off in seqs:
        # position of each token's sequence, so pairs never cross a sequence boundary
        seg = np.repeat(np.arange(len(off) - 1), np.diff(off))
        for d in range(1, window + 1):
            same = seg[:-d] == seg[d:]
            a, b = flat[:-d][same], flat[d:][same]
            w = np.full(a.shape, 1.0 / d, dtype=np.float32)
            rows += [a, b]; cols += [b, a]; vals += [w, w]
    m = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(vocab, vocab))
    return m.tocsr()


def ppmi(m, alpha):
    total = m.sum()
    row = np.asarray(m.sum(1)).ravel()
    col = np.asarray(m.sum(0)).ravel() ** alpha
    col = col / col.sum()
    m = m.tocoo()
    pmi = np.log((m.data / total) / ((row[m.row] / total) * col[m.col]))
    keep = pmi > 0
    return sp.csr_matrix((pmi[keep].astype(np.float32), (m.row[keep], m.col[keep])), shape=m.shape), row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=D.DEFAULT_DATA)
    ap.add_argument("--spm", default=D.DEFAULT_SPM)
    ap.add_argument("--dim", type=int, default=128, help="embedding size E")
    ap.add_argument("--vocab", type=int, default=30000)
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--alpha", type=float, default=0.75)
    ap.add_argument("--std", type=float, default=0.02, help="target std of the embedding matrix")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default=None)
    ap.add_argument("--safetensors", default=None,
                    help="also write the vectors as fp16 safetensors (tensor word_embeddings), e.g. "
                         "training/checkpoints/ppmi-svd-e128.safetensors")
    a = ap.parse_args()
    out = a.out or os.path.join(D.HERE, "runs", "embed", f"ppmi_svd_{a.dim}.npy")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    t0 = time.time()
    c = D.pretrain_corpus(a.data, a.spm)
    seqs = [(c["imdb_flat"], c["imdb_sent_off"][c["imdb_doc_off"]]), (c["sst_flat"], c["sst_off"]), (c["tw_flat"], c["tw_off"])]
    print("tokens", sum(len(f) for f, _ in seqs), flush=True)
    m = cooccurrence(seqs, a.vocab, a.window)
    print(f"co-occurrence nnz {m.nnz} ({time.time() - t0:.0f}s)", flush=True)
    p, counts = ppmi(m, a.alpha)
    print(f"ppmi nnz {p.nnz} ({time.time() - t0:.0f}s)", flush=True)
    u, s, _ = svds(p, k=a.dim, random_state=a.seed)
    emb = u * np.sqrt(s)[None, :]
    seen = counts > 0
    emb[seen] *= a.std / emb[seen].std()
    rng = np.random.default_rng(a.seed)
    emb[~seen] = rng.normal(0.0, a.std, size=(int((~seen).sum()), a.dim))
    emb[0] = 0.0  # [pad]
    np.save(out, emb.astype(np.float32))
    if a.safetensors:
        import torch
        from model import save_safetensors
        save_safetensors({"word_embeddings": torch.from_numpy(emb.astype(np.float32))}, a.safetensors,
                         {"kind": "ppmi-svd", "dim": str(a.dim), "window": str(a.window), "alpha": str(a.alpha),
                          "seed": str(a.seed), "corpus": "pretrain_corpus (TRAIN splits): IMDB, SST-2, tweets"}, fp16=True)
        print(f"wrote {a.safetensors} ({os.path.getsize(a.safetensors) / 1e6:.2f} MB, fp16)", flush=True)
    print(f"seen pieces {int(seen.sum())}/{a.vocab}; top singular values {np.sort(s)[::-1][:5].round(1)}; "
          f"wrote {out} ({time.time() - t0:.0f}s)", flush=True)


if __name__ == "__main__":
    main()
