#!/usr/bin/env python3
"""Fine-tune ALBERT for `sentiment` (SST-2, optional IMDB) or `moderation` (hate/offensive
multi-label) and export the best checkpoint on the SELECTION split in Hugging Face format.

  --init random | <pretrain checkpoint .pt> | <pretrain_electra.py --export .safetensors>
  (--init-from is the same option)

Honest protocol (splits.py): a selection split is carved from the training data with a fixed
seed (800 whole SST-2 train sentences, their sub-phrases removed from training; 10% of TweetEval
hate / offensive train). Checkpoints (raw, EMA, SWA) are chosen on it only; the reported dev/val
sets are evaluated once, at the end, for the exported checkpoint (runs/ft/<name>/final.json).
Per-layer losses (--layer-loss, PABEE): the same pooler + classifier after every pass of the
shared block, loss = sum_i i * L_i / sum_i i; the final report gives accuracy / macro-F1 and
mean layers run for early exit with patience 1..5 and at full depth (PABEE rule: stop after
layer i once the prediction -- argmax, or the thresholded label set -- has not changed for
`patience` consecutive layers, i.e. layers i-patience..i agree).

Moderation label sources (NaN = label not given by that source, masked out of the loss):
  TweetEval hate train:       hate = label,            offensive = masked
  TweetEval offensive train:  offensive = label,       hate = masked
  Davidson class 0 (hate):    hate = 1, offensive = 1  (hate speech is offensive under OLID's definition)
  Davidson class 1 (offens.): offensive = 1, hate = masked (its misogynistic slurs are often HatEval
                              hate against women, so "not hate" would contradict TweetEval)
  Davidson class 2 (neither): hate = 0, offensive = 0
Sentiment self-training: --pseudo adds IMDB train sentences labelled by teacher models
(pseudo_label.py) with soft targets; --swa-from averages the weights of the later evaluations.
Evaluation: SST-2 dev accuracy; TweetEval hate / offensive val macro-F1 (sigmoid > 0.5).
Resumable: runs/ft/<name>/ckpt.pt every --ckpt-min minutes; re-run the same command to resume.
"""
import argparse
import copy
import datetime as dt
import json
import os
import shutil
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
import runtime as R  # noqa: E402
import splits as S  # noqa: E402
from model import (DEFAULT_CONFIG, AlbertForSequenceClassification, load_init, load_safetensors,  # noqa: E402
                   load_word_embeddings, save_safetensors)
from tok import CLS, SEP  # noqa: E402

TASKS = {
    "sentiment": {"labels": ["negative", "positive"], "problem_type": "single_label_classification"},
    "moderation": {"labels": ["hate", "offensive"], "problem_type": "multi_label_classification"},
}


def head_tail(x, n):
    if len(x) <= n:
        return x
    h = n // 4
    return np.concatenate([x[:h], x[len(x) - (n - h):]])


def chunks(x, n, k):
    """Up to k windows of n tokens covering a long review: head+tail first (the usual single
    example), then consecutive windows of the middle part, each labeled with the review's label."""
    if len(x) <= n:
        return [x]
    out = [head_tail(x, n)]
    h = n // 4
    mid = x[h:len(x) - (n - h)]
    for j in range(0, len(mid), n):
        if len(out) >= k:
            break
        w = mid[j:j + n]
        if len(w) >= n // 2:
            out.append(w)
    return out


def build_train(task, a):
    seqs, ys = [], []
    n = a.max_len - 2
    if task == "sentiment":
        r, y = D.labeled_set("sst2_train", a.data, a.spm)
        _, keep = S.sst2_selection(a.data)  # the selection sentences and all their sub-phrases are left out
        seqs += [head_tail(r[i], n) for i in keep]
        ys.append(y[keep])
        if a.imdb:
            r, y = D.labeled_set("imdb_train", a.data, a.spm)
            m = a.imdb_max_len - 2
            if a.imdb_chunks > 1:
                for i in range(len(r)):
                    ch = chunks(r[i], m, a.imdb_chunks)
                    seqs += ch
                    ys.append(np.repeat(y[i:i + 1], len(ch), 0))
            else:
                seqs += [head_tail(r[i], m) for i in range(len(r))]
                ys.append(y)
        if a.pseudo:
            d = np.load(a.pseudo)
            ps = D.Ragged(d["flat"], d["off"])
            t = (1 - a.pseudo_doc_weight) * d["p_teacher"] + a.pseudo_doc_weight * d["doc_label"]
            pick = np.arange(len(ps))
            if a.pseudo_max and a.pseudo_max < len(pick):
                pick = np.sort(np.random.default_rng(a.seed + 1).choice(pick, a.pseudo_max, replace=False))
            seqs += [ps[i] for i in pick]
            ys.append(t[pick, None])
            print(f"pseudo-labelled sentences: {len(pick)} from {a.pseudo} (teachers {list(d['teachers'])}), "
                  f"doc weight {a.pseudo_doc_weight}, mean target {float(t[pick].mean()):.3f}", flush=True)
        return seqs, np.concatenate(ys).astype(np.float32)
    nan = np.nan
    r, y = D.labeled_set("tweeteval_hate_train", a.data, a.spm)
    _, keep = S.tweeteval_selection(a.data, "hate")
    y = y[keep]
    seqs += [head_tail(r[i], n) for i in keep]
    ys.append(np.stack([y[:, 0], np.full(len(y), nan)], 1))
    r, y = D.labeled_set("tweeteval_offensive_train", a.data, a.spm)
    _, keep = S.tweeteval_selection(a.data, "offensive")
    y = y[keep]
    seqs += [head_tail(r[i], n) for i in keep]
    ys.append(np.stack([np.full(len(y), nan), y[:, 0]], 1))
    if a.davidson:
        r, y = D.labeled_set("davidson", a.data, a.spm)
        c = y[:, 0].astype(int)
        hate = np.where(c == 0, 1.0, np.where(c == 2, 0.0, nan))
        off = np.where(c == 2, 0.0, 1.0)
        seqs += [head_tail(r[i], n) for i in range(len(r))]
        ys.append(np.stack([hate, off], 1))
    return seqs, np.concatenate(ys).astype(np.float32)


def build_evals(task, a, split):
    """[(key, token seqs, gold labels, label column)] for split 'select' (carved from train) or 'dev'."""
    n = a.max_len - 2
    if split == "select":
        if task == "sentiment":
            names = [("sst2_select", "sst2_train", 0, S.sst2_selection(a.data)[0])]
        else:
            names = [("hate_select", "tweeteval_hate_train", 0, S.tweeteval_selection(a.data, "hate")[0]),
                     ("offensive_select", "tweeteval_offensive_train", 1, S.tweeteval_selection(a.data, "offensive")[0])]
    elif task == "sentiment":
        names = [("sst2_dev", "sst2_dev", 0, None)]
    else:
        names = [("hate_val", "tweeteval_hate_val", 0, None), ("offensive_val", "tweeteval_offensive_val", 1, None)]
    out = []
    for key, ds, col, idx in names:
        r, y = D.labeled_set(ds, a.data, a.spm)
        idx = range(len(r)) if idx is None else idx
        out.append((key, [head_tail(r[i], n) for i in idx], y[list(idx), 0].astype(int), col))
    return out


def collate(seqs):
    L = max(len(s) for s in seqs) + 2
    ids = np.zeros((len(seqs), L), np.int64)
    am = np.zeros((len(seqs), L), np.int64)
    for i, s in enumerate(seqs):
        ids[i, 0] = CLS
        ids[i, 1:len(s) + 1] = s
        ids[i, len(s) + 1] = SEP
        am[i, :len(s) + 2] = 1
    return torch.from_numpy(ids), torch.from_numpy(am)


def device_of(model):
    return next(model.parameters()).device


def predict_logits(model, seqs, bs=64, bf16=False):
    """Logits [N, num_labels] for token sequences (without [CLS]/[SEP]), length-sorted batches."""
    return predict_layer_logits(model, seqs, bs, bf16, layers=False)


def predict_layer_logits(model, seqs, bs=64, bf16=False, layers=True):
    """Logits after every block pass [num_hidden_layers, N, num_labels] (layers=False: [N, num_labels])."""
    model.eval()
    dev = device_of(model)
    order = np.argsort([len(x) for x in seqs])
    nl = model.config["num_hidden_layers"]
    out = np.zeros((nl, len(seqs), model.config["num_labels"]), np.float32)
    with torch.no_grad(), torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bf16):
        for i in range(0, len(seqs), bs):
            idx = order[i:i + bs]
            ids, am = collate([seqs[j] for j in idx])
            ids, am = ids.to(dev), am.to(dev)
            if layers:
                out[:, idx] = model.layer_logits(ids, am).float().cpu().numpy()
            else:
                out[-1, idx] = model(ids, am).float().cpu().numpy()
    model.train()
    return out if layers else out[-1]


def export_task(cfg):
    """The task of an export's config.json: its problem_type names it (TASKS)."""
    return next(t for t, v in TASKS.items() if v["problem_type"] == cfg.get("problem_type", "single_label_classification"))


def load_export(export_dir):
    """An exported Hugging Face directory as (config, AlbertForSequenceClassification)."""
    cfg = json.load(open(os.path.join(export_dir, "config.json")))
    cfg["num_labels"] = len(cfg["id2label"])
    m = AlbertForSequenceClassification(cfg)
    missing, unexpected = m.load_state_dict(load_safetensors(os.path.join(export_dir, "model.safetensors")), strict=False)
    assert not missing and not unexpected, (missing, unexpected)
    return cfg, m


def macro_f1(y, p):
    f = []
    for c in (0, 1):
        tp = int(((p == c) & (y == c)).sum())
        fp = int(((p == c) & (y != c)).sum())
        fn = int(((p != c) & (y == c)).sum())
        f.append(2 * tp / max(1, 2 * tp + fp + fn))
    return float(np.mean(f))


def scores(task, evals, logits):
    """Metrics for per-eval-set logits (same order as evals)."""
    res = {}
    for (key, _, y, col), lg in zip(evals, logits):
        if task == "sentiment":
            res[key + "_acc"] = float((lg.argmax(1) == y).mean())
        else:
            pred = (lg[:, col] > 0).astype(int)
            res[key + "_macro_f1"] = macro_f1(y, pred)
            res[key + "_acc"] = float((pred == y).mean())
    return res


def main_score(task, evals, res):
    """Sentiment: accuracy; moderation: mean macro-F1 of the eval sets (hate, offensive)."""
    k = "_acc" if task == "sentiment" else "_macro_f1"
    return float(np.mean([res[e[0] + k] for e in evals]))


def exit_layers(task, layer_logits, patience):
    """PABEE: per example, the layer (0-based) it exits at and that layer's logits.
    layer_logits [L, N, C]; prediction = argmax (sentiment) or the thresholded label set."""
    L, N = layer_logits.shape[:2]
    if task == "sentiment":
        pred = layer_logits.argmax(2)
    else:
        pred = (layer_logits > 0).astype(np.int64) @ (1 << np.arange(layer_logits.shape[2]))
    exit_at = np.full(N, L - 1)
    if patience is not None:
        cnt = np.zeros(N, np.int64)
        done = np.zeros(N, bool)
        for i in range(1, L):
            cnt = np.where(pred[i] == pred[i - 1], cnt + 1, 0)
            hit = ~done & (cnt >= patience)
            exit_at[hit] = i
            done |= hit
    return exit_at, layer_logits[exit_at, np.arange(N)]


def early_exit_table(task, evals, layer_logits_list, patiences=(1, 2, 3, 4, 5)):
    """Rows for patience 1..5 and full depth (None): metrics and mean layers run per eval set."""
    rows = []
    for p in list(patiences) + [None]:
        row = {"patience": p if p is not None else "full"}
        exits, final = [], []
        for (key, _, _, _), ll in zip(evals, layer_logits_list):
            ex, lg = exit_layers(task, ll, p)
            final.append(lg)
            row[key + "_mean_layers"] = round(float(ex.mean() + 1), 3)
        row.update(scores(task, evals, final))
        row["score"] = main_score(task, evals, row)
        rows.append(row)
    return rows


def evaluate(model, task, evals, bs=64, layers=False):
    """(score, metrics) at full depth; with layers=True also the per-eval-set layer logits."""
    if layers:
        ll = [predict_layer_logits(model, seqs, bs) for _, seqs, _, _ in evals]
        res = scores(task, evals, [x[-1] for x in ll])
        return main_score(task, evals, res), res, ll
    res = scores(task, evals, [predict_logits(model, seqs, bs) for _, seqs, _, _ in evals])
    return main_score(task, evals, res), res


def export_hf(model, cfg, task, out_dir, spm_path, extra_meta, meta_path):
    tmp = out_dir + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    labels = TASKS[task]["labels"]
    hf = {"architectures": ["AlbertForSequenceClassification"]}
    for k in DEFAULT_CONFIG:
        hf[k] = cfg[k]
    hf["hidden_dropout_prob"] = 0.1
    hf["attention_probs_dropout_prob"] = 0.1
    hf["classifier_dropout_prob"] = 0.1
    hf["id2label"] = {str(i): l for i, l in enumerate(labels)}
    hf["label2id"] = {l: i for i, l in enumerate(labels)}
    hf["problem_type"] = TASKS[task]["problem_type"]
    json.dump(hf, open(os.path.join(tmp, "config.json"), "w"), indent=2)
    json.dump({"do_lower_case": True, "keep_accents": False, "remove_space": True, "tokenizer_class": "AlbertTokenizer"},
              open(os.path.join(tmp, "tokenizer_config.json"), "w"), indent=2)
    shutil.copyfile(spm_path, os.path.join(tmp, "spiece.model"))
    save_safetensors(model.state_dict(), os.path.join(tmp, "model.safetensors"), {"format": "pt"})
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(tmp, out_dir)
    json.dump(extra_meta, open(meta_path, "w"), indent=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", choices=list(TASKS), required=True)
    ap.add_argument("--init", "--init-from", dest="init", default="random",
                    help="random | pretrain.py / pretrain_electra.py checkpoint .pt | pretrain_electra.py --export "
                         ".safetensors (only the albert.* encoder weights are used)")
    ap.add_argument("--layer-loss", action="store_true",
                    help="PABEE per-layer losses: the head after every block pass, loss weights proportional to "
                         "the layer index (so the model can exit early)")
    ap.add_argument("--init-embeddings", default=None,
                    help="float32 .npy [vocab, E] (embed_init.py) copied into the word embeddings after --init")
    ap.add_argument("--name", required=True, help="run name: runs/ft/<name>/")
    ap.add_argument("--export", default=None, help="HF output dir (default runs/export/<name>)")
    ap.add_argument("--data", default=D.DEFAULT_DATA)
    ap.add_argument("--spm", default=D.DEFAULT_SPM)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--imdb", action="store_true", help="sentiment: add IMDB train reviews (head+tail truncated)")
    ap.add_argument("--imdb-max-len", type=int, default=128)
    ap.add_argument("--imdb-chunks", type=int, default=1,
                    help="sentiment: up to this many windows per IMDB review (head+tail, then the middle)")
    ap.add_argument("--pseudo", default=None,
                    help="sentiment: pseudo_label.py output; its IMDB sentences are added with soft targets")
    ap.add_argument("--pseudo-max", type=int, default=0, help="random subset of that many pseudo-labelled sentences")
    ap.add_argument("--pseudo-doc-weight", type=float, default=0.0,
                    help="soft target = (1-w) * teacher P(positive) + w * the review's label")
    ap.add_argument("--no-davidson", dest="davidson", action="store_false")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--wd", type=float, default=0.01)
    ap.add_argument("--warmup-frac", type=float, default=0.06)
    ap.add_argument("--epochs", type=float, default=3.0, help="upper bound on epochs")
    ap.add_argument("--time-budget-min", type=float, default=20.0, help="lr decays to 0 over this much training time")
    ap.add_argument("--eval-every", type=int, default=400)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--bf16", action="store_true", help="bfloat16 autocast in training (always on for CUDA)")
    ap.add_argument("--ema", type=float, default=0.0,
                    help="if > 0 (e.g. 0.999): also keep an exponential moving average of the weights; each eval "
                         "scores both and the better one is exported")
    ap.add_argument("--swa-from", type=float, default=0.0,
                    help="if > 0 (e.g. 0.5): average the raw weights of every evaluation from this fraction of the "
                         "time budget on (stochastic weight averaging, equal weights); scored and exportable at the end")
    ap.add_argument("--ckpt-min", type=float, default=5.0)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    dev, use_bf16 = R.setup(a.threads, a.bf16)
    run = os.path.join(D.HERE, "runs", "ft", a.name)
    export = a.export or os.path.join(D.HERE, "runs", "export", a.name)
    os.makedirs(run, exist_ok=True)
    print("args", vars(a), flush=True)

    cfg = dict(DEFAULT_CONFIG)
    init_sd = None
    if a.init != "random":
        init_sd, desc = load_init(a.init, cfg)
        print(f"init from {a.init} ({desc})", flush=True)
    cfg.update(hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, classifier_dropout_prob=0.1)
    cfg["num_labels"] = len(TASKS[a.task]["labels"])
    torch.manual_seed(a.seed)
    model = AlbertForSequenceClassification(cfg)
    if init_sd is not None:
        missing, unexpected = model.load_state_dict(init_sd, strict=False)
        assert set(missing) == {"classifier.weight", "classifier.bias"} and not unexpected, (missing, unexpected)
    if a.init_embeddings:
        load_word_embeddings(model.albert, a.init_embeddings)
    model.to(dev)

    seqs, y = build_train(a.task, a)
    evals = build_evals(a.task, a, "select")
    print("selection split: " + ", ".join(f"{k} {len(sq)}" for k, sq, _, _ in evals) + f"; device {dev.type}",
          flush=True)
    print(f"train examples {len(seqs)}; label means {np.nanmean(y, 0)}; label counts {np.sum(~np.isnan(y), 0)}",
          flush=True)
    rng = np.random.default_rng(a.seed)
    per_epoch = len(seqs) // a.batch
    max_steps = int(a.epochs * per_epoch)
    batches = []  # deterministic plan for all epochs (length-bucketed within windows of 50 batches)
    for ep in range(int(np.ceil(a.epochs))):
        perm = rng.permutation(len(seqs))
        for w in range(0, len(perm), a.batch * 50):
            win = perm[w:w + a.batch * 50]
            win = win[np.argsort([len(seqs[i]) for i in win], kind="stable")]
            bl = [win[i:i + a.batch] for i in range(0, len(win), a.batch) if len(win[i:i + a.batch]) == a.batch]
            rng.shuffle(bl)
            batches += bl
    batches = batches[:max_steps]

    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    nodecay = [p for n, p in model.named_parameters() if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.wd}, {"params": nodecay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.98), eps=1e-6)
    step, train_time, best, history = 0, 0.0, -1.0, []
    ema = None
    if a.ema > 0:
        ema = copy.deepcopy(model)
        ema.eval()
        ema_params = [(p, q) for p, q in zip(model.parameters(), ema.parameters())]
    swa, swa_n = None, 0
    ck = os.path.join(run, "ckpt.pt")
    if os.path.exists(ck):
        s = torch.load(ck, map_location="cpu")  # the RNG state must stay a CPU tensor; load_state_dict moves the rest
        model.load_state_dict(s["model"]); opt.load_state_dict(s["opt"])
        if ema is not None and s.get("ema") is not None:
            ema.load_state_dict(s["ema"])
        if s.get("swa") is not None:
            swa, swa_n = {k: v.to(dev) for k, v in s["swa"].items()}, s["swa_n"]
        step, train_time, best, history = s["step"], s["train_time"], s["best"], s["history"]
        R.restore_rng_states(s, dev)
        print(f"resumed at step {step}, best {best:.4f}", flush=True)
    budget = a.time_budget_min * 60.0
    warm = max(1, int(a.warmup_frac * min(max_steps, budget / 0.3)))

    def lr_now():
        if step < warm:
            return a.lr * (step + 1) / warm
        return a.lr * max(0.0, 1.0 - max(train_time / budget, step / max_steps))

    def checkpoint():
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "train_time": train_time,
                    "best": best, "history": history, **R.rng_states(dev),
                    "ema": ema.state_dict() if ema is not None else None, "swa": swa, "swa_n": swa_n}, ck + ".tmp")
        os.replace(ck + ".tmp", ck)

    def swa_add():
        nonlocal swa, swa_n
        if a.swa_from <= 0 or train_time < a.swa_from * budget:
            return
        swa_n += 1
        if swa is None:
            swa = {k: v.detach().float().clone() for k, v in model.state_dict().items()}
            return
        for k, v in model.state_dict().items():
            swa[k].add_(v.float() - swa[k], alpha=1.0 / swa_n)  # running mean

    def keep_if_best(rec, score, which, label, note="PyTorch fp32 metrics on the selection split (carved from train)"):
        """Logs an evaluation; exports `which` when it beats every earlier one."""
        nonlocal best
        rec["score"] = score
        history.append(rec)
        flag = ""
        if score > best:
            best = score
            flag = " *best*"
            export_hf(which, cfg, a.task, export, a.spm,
                      {"task": a.task, "init": a.init, "seed": a.seed, "args": vars(a), "select": rec,
                       "note": note, "export": export},
                      os.path.join(run, "best_metrics.json"))
        print(label + " " + json.dumps(rec) + flag, flush=True)

    def do_eval():
        swa_add()
        score, res = evaluate(model, a.task, evals)
        rec = {"step": step, "epoch": round(step / per_epoch, 3), "train_min": round(train_time / 60, 2), **res}
        which = model
        if ema is not None:
            escore, eres = evaluate(ema, a.task, evals)
            ema.eval()
            rec.update({"ema_" + k: v for k, v in eres.items()})
            if escore > score:
                score, which = escore, ema
                rec["exported"] = "ema"
        keep_if_best(rec, score, which, "eval")

    model.train()
    last_ck = time.time()
    lsum, n, t_log = 0.0, 0, 0.0
    if step == 0:
        print("init " + json.dumps(evaluate(model, a.task, evals)[1]), flush=True)
    while step < len(batches) and train_time < budget:
        t0 = time.time()
        idx = batches[step]
        ids, am = collate([seqs[i] for i in idx])
        ids, am = ids.to(dev), am.to(dev)
        tgt = torch.from_numpy(y[idx]).to(dev)
        for g in opt.param_groups:
            g["lr"] = lr_now()
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=use_bf16):
            logits = model.layer_logits(ids, am) if a.layer_loss else model(ids, am)[None]
        logits = logits.float()  # [layers, B, C]
        lw = torch.arange(1, logits.shape[0] + 1, dtype=torch.float32, device=dev)
        lw = lw / lw.sum()
        if a.task == "sentiment":
            # target P(positive) as class probabilities: the same loss as class indices for 0/1 labels
            soft = torch.stack([1 - tgt[:, 0], tgt[:, 0]], 1)
            losses = torch.stack([F.cross_entropy(lg, soft) for lg in logits])
        else:
            m = ~torch.isnan(tgt)
            losses = torch.stack([F.binary_cross_entropy_with_logits(lg[m], tgt[m]) for lg in logits])
        loss = (lw * losses).sum()
        R.optimizer_step(loss, model, opt, dev)
        if ema is not None:
            with torch.no_grad():
                d = min(a.ema, (1 + step) / (10 + step))
                for p, q in ema_params:
                    q.mul_(d).add_(p.detach(), alpha=1 - d)
        step += 1
        dtt = time.time() - t0
        train_time += dtt
        t_log += dtt
        lsum += loss.item(); n += 1
        if step % 100 == 0:
            print("step %d ep %.2f lr %.2e loss %.4f s/step %.3f train_min %.1f utc %s" % (
                step, step / per_epoch, lr_now(), lsum / n, t_log / n, train_time / 60,
                dt.datetime.utcnow().strftime("%H:%M:%S")), flush=True)
            lsum, n, t_log = 0.0, 0, 0.0
        if step % a.eval_every == 0 or step % per_epoch == 0:
            do_eval()
        if time.time() - last_ck > a.ckpt_min * 60:
            checkpoint()
            last_ck = time.time()
    if not history or history[-1]["step"] != step:
        do_eval()
    if swa is not None and not any(r.get("swa") for r in history):
        sm = copy.deepcopy(model)
        sm.load_state_dict(swa)
        sscore, sres = evaluate(sm, a.task, evals)
        rec = {"step": step, "epoch": round(step / per_epoch, 3), "train_min": round(train_time / 60, 2),
               "swa": swa_n, **sres}
        keep_if_best(rec, sscore, sm, "eval swa",
                     f"PyTorch fp32 metrics on the dev/val sets; weights = mean of {swa_n} evaluations' raw "
                     f"weights from {a.swa_from:.0%} of the time budget on")
    checkpoint()
    b = max(history, key=lambda r: r["score"])
    print("done; best on the selection split " + json.dumps(b) + f" -> {export}", flush=True)
    json.dump({"best": b, "history": history, "args": vars(a)}, open(os.path.join(run, "summary.json"), "w"), indent=2)
    final_report(a, export, run, evals)


def ship_patience(rows, max_cost=0.003):
    """Smallest mean depth whose selection score is within max_cost (0.3 points) of full depth."""
    full = rows[-1]["score"]
    ok = [r for r in rows[:-1] if r["score"] >= full - max_cost]
    depth = lambda r: np.mean([v for k, v in r.items() if k.endswith("_mean_layers")])
    return min(ok, key=depth)["patience"] if ok else "full"


def final_report(a, export, run, sel_evals):
    """The exported checkpoint: early-exit table on the selection split, then the dev/val sets ONCE."""
    _, model = load_export(export)
    model.to(R.device())
    out = {"export": export}
    for split, evals in (("select", sel_evals), ("dev", build_evals(a.task, a, "dev"))):
        _, res, ll = evaluate(model, a.task, evals, layers=True)
        rows = early_exit_table(a.task, evals, ll)
        out[split] = {"full_depth": res, "early_exit": rows}
        print(f"final {split}: " + json.dumps(res), flush=True)
        for r in rows:
            print(f"  {split} patience {r['patience']}: " + json.dumps({k: v for k, v in r.items() if k != 'patience'}),
                  flush=True)
    out["ship_patience_chosen_on_select"] = ship_patience(out["select"]["early_exit"])
    print("patience chosen on the selection split (<= 0.3 points below full depth, fewest layers): "
          f"{out['ship_patience_chosen_on_select']}", flush=True)
    json.dump(out, open(os.path.join(run, "final.json"), "w"), indent=2)


if __name__ == "__main__":
    main()
