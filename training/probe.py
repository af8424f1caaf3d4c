#!/usr/bin/env python3
"""Linear probe of a frozen encoder: how much task signal pretraining has put into its features,
measured in a minute or two instead of a 45-minute fine-tune.

  /usr/bin/python3 training/probe.py --init random|<pretrain .pt>|<.safetensors> [--init-embeddings E.npy]
  /usr/bin/python3 training/probe.py --self-test

The encoder (same --init / --init-embeddings semantics as finetune.py, no fine-tuning) reads each
text once (bf16 autocast, as finetune.py evaluates); its features are the final hidden state of [CLS] and the mean of the final hidden states
over the text's positions (2 x hidden_size). A logistic regression (standardised features, L2, full
batch L-BFGS) is fitted per task on a fixed sample of the TRAINING data, its L2 strength chosen on
the last 10% of that sample, then refitted on all of it and scored on the SELECTION split
(splits.py) only -- never on dev/val:

  sentiment  SST-2 train minus the selection split (items of >= 3 words), 10,000 drawn with seed 0;
             accuracy on the 800 selection sentences
  offensive  TweetEval offensive train minus the selection split (all); macro-F1 on its selection split

A probe is not a fine-tune: it says whether pretraining has produced features a linear reader
finds (the sign and size of the change between snapshots), not what a fine-tuned model will score.
Prints one JSON line.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
import runtime as R  # noqa: E402
import splits as S  # noqa: E402
from finetune import collate, head_tail, macro_f1  # noqa: E402
from model import DEFAULT_CONFIG, AlbertModel, init_weights, load_init, load_word_embeddings  # noqa: E402

L2_GRID = (1e-4, 1e-3, 1e-2, 1e-1)
SENTIMENT_N = 10_000


def load_encoder(init, init_embeddings, seed):
    """(AlbertModel in eval mode, description) from random / a pretrain .pt / an exported .safetensors."""
    cfg, sd, info = dict(DEFAULT_CONFIG), None, {"init": init}
    if init != "random":
        albert, info["checkpoint"] = load_init(init, cfg)
        sd = {k[len("albert."):]: v.float() for k, v in albert.items()}
    cfg.update(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    torch.manual_seed(seed)
    enc = AlbertModel(cfg)
    if sd is not None:
        missing, unexpected = enc.load_state_dict(sd, strict=False)
        assert not unexpected and all(k.startswith("pooler.") for k in missing), (missing, unexpected)
    else:
        init_weights(enc, cfg["initializer_range"])
    if init_embeddings:
        load_word_embeddings(enc, init_embeddings)
        info["init_embeddings"] = init_embeddings
    enc.eval()
    return enc.to(R.device()), info


def features(enc, seqs, bs=128):
    """[N, 2H] float32: final [CLS] state and the masked mean of the final states."""
    order = np.argsort([len(x) for x in seqs])
    H = enc.encoder.embedding_hidden_mapping_in.out_features
    out = np.zeros((len(seqs), 2 * H), np.float32)
    dev = next(enc.parameters()).device
    with torch.no_grad(), torch.autocast(dev.type, dtype=torch.bfloat16):
        for i in range(0, len(seqs), bs):
            idx = order[i:i + bs]
            ids, am = collate([seqs[j] for j in idx])
            h, _ = enc(ids.to(dev), am.to(dev))
            m = am[:, :, None].float()
            out[idx] = torch.cat([h[:, 0], (h * m).sum(1) / m.sum(1)], 1).float().cpu().numpy()
    return out


def fit_logreg(x, y, l2, iters=200):
    """Binary logistic regression on standardised x; returns (w, b)."""
    xt, yt = torch.from_numpy(x).double(), torch.from_numpy(y).double()
    w = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=iters, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(xt @ w + b, yt) + l2 * (w * w).sum()
        loss.backward()
        return loss
    opt.step(closure)
    return w.detach().numpy(), float(b.detach())


def score(metric, y, p):
    return float((y == p).mean()) if metric == "accuracy" else macro_f1(y, p)


def probe(x_tr, y_tr, x_sel, y_sel, metric):
    """L2 chosen on the last 10% of the training sample, refit on all of it, scored on selection."""
    mu, sd = x_tr.mean(0), x_tr.std(0) + 1e-6
    x_tr, x_sel = (x_tr - mu) / sd, (x_sel - mu) / sd
    cut = int(len(x_tr) * 0.9)
    held = {}
    for l2 in L2_GRID:
        w, b = fit_logreg(x_tr[:cut], y_tr[:cut], l2)
        held[l2] = score(metric, y_tr[cut:], (x_tr[cut:] @ w + b > 0).astype(int))
    best = max(L2_GRID, key=lambda l: (held[l], l))
    w, b = fit_logreg(x_tr, y_tr, best)
    return {metric: round(score(metric, y_sel, (x_sel @ w + b > 0).astype(int)), 4), "l2": best,
            "held_out": round(held[best], 4), "n_train": len(x_tr), "n_select": len(x_sel)}


def task_sets(data, spm, max_len=128):
    """{task: (train seqs, train labels, selection seqs, selection labels, metric)}."""
    n = max_len - 2
    r, y = D.labeled_set("sst2_train", data, spm)
    sel, keep = S.sst2_selection(data)
    texts, _ = D.read_sst2(data, "train")
    keep = [i for i in keep if len(texts[i].split()) >= 3]
    rng = np.random.default_rng(0)
    pick = rng.permutation(np.array(keep))[:SENTIMENT_N]
    out = {"sentiment": ([head_tail(r[i], n) for i in pick], y[pick, 0].astype(int),
                         [head_tail(r[i], n) for i in sel], y[sel, 0].astype(int), "accuracy")}
    r, y = D.labeled_set("tweeteval_offensive_train", data, spm)
    sel, keep = S.tweeteval_selection(data, "offensive")
    keep = rng.permutation(np.array(keep))
    out["offensive"] = ([head_tail(r[i], n) for i in keep], y[keep, 0].astype(int),
                        [head_tail(r[i], n) for i in sel], y[sel, 0].astype(int), "macro_f1")
    return out


def self_test():
    """The regression finds a planted linear rule; L2 choice and scoring run end to end."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2000, 64)).astype(np.float32)
    y = (x[:, 0] - 0.5 * x[:, 3] > 0).astype(int)
    r = probe(x[:1500], y[:1500], x[1500:], y[1500:], "accuracy")
    assert r["accuracy"] > 0.97, r
    r = probe(x[:1500], rng.integers(0, 2, 1500), x[1500:], y[1500:], "macro_f1")
    assert r["macro_f1"] < 0.7, r
    print("probe self-test ok")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--init", default="random")
    ap.add_argument("--init-embeddings", default=None)
    ap.add_argument("--data", default=D.DEFAULT_DATA)
    ap.add_argument("--spm", default=D.DEFAULT_SPM)
    ap.add_argument("--seed", type=int, default=42, help="random-init seed (random encoders only)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    if a.self_test:
        self_test()
        return
    torch.set_num_threads(a.threads)
    t0 = time.time()
    enc, info = load_encoder(a.init, a.init_embeddings, a.seed)
    res = dict(info)
    for task, (xs, ys, ss, yss, metric) in task_sets(a.data, a.spm).items():
        res[task] = probe(features(enc, xs), ys, features(enc, ss), yss, metric)
    res["seconds"] = round(time.time() - t0, 1)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
