#!/usr/bin/env python3
"""ALBERT pretraining: masked LM + sentence-order prediction (SOP), resumable.

Examples (seq len --max-len):
  * SOP pairs from IMDB train reviews: [CLS] A [SEP] B [SEP], A/B consecutive sentence
    spans of one review, swapped with p=0.5 (label 1 = swapped, as HF sentence_order_label).
  * Packed short texts (SST-2 train phrases, TweetEval hate/offensive train + Davidson tweets):
    [CLS] t1 t2 ... [SEP], single segment, no SOP label.
Dynamic masking each step: 15% of non-special tokens, 80% [MASK] / 10% random / 10% kept;
MLM logits computed only at masked positions. Writes runs/<name>/ckpt.pt (latest, every
--ckpt-min minutes, atomically) and weights-only snapshots; re-running the same command
resumes from ckpt.pt. Stops at --steps or at --stop-at (UTC HH:MM), checkpointing first.
--export writes the final weights as fp16 safetensors (~9.7 MB, small enough to commit; `--steps 0`
on a stopped run only exports); --continue-from starts a new --out from such an export at the same
point of the lr schedule (step, tokens and training minutes from its metadata) with fresh optimizer
moments and a short re-warmup, so a run outlives the machine it ran on.
Runs on CUDA when present (bf16 autocast there by default, same seeds), on CPU otherwise.
"""
import argparse
import datetime as dt
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
import runtime as R  # noqa: E402
from model import DEFAULT_CONFIG, AlbertForPreTraining, load_fp16_export, load_word_embeddings, save_fp16_export  # noqa: E402,E501
from tok import CLS, MASK, SEP  # noqa: E402


class Sampler:
    def __init__(self, corpus, max_len, weights, rng):
        self.imdb = D.Ragged(corpus["imdb_flat"], corpus["imdb_sent_off"])
        self.doc_off = corpus["imdb_doc_off"]
        self.sst = D.Ragged(corpus["sst_flat"], corpus["sst_off"])
        self.tw = D.Ragged(corpus["tw_flat"], corpus["tw_off"])
        self.max_len = max_len
        self.w = np.array(weights, dtype=np.float64) / sum(weights)
        self.rng = rng

    def sop(self):
        rng, target = self.rng, self.max_len - 3
        if rng.random() < 0.1:
            target = int(rng.integers(8, target + 1))
        while True:
            d = int(rng.integers(0, len(self.doc_off) - 1))
            s0, s1 = int(self.doc_off[d]), int(self.doc_off[d + 1])
            if s1 - s0 < 1:
                continue
            start = int(rng.integers(s0, s1))
            chunk, n = [], 0
            i = start
            while i < s1 and n < target:
                chunk.append(self.imdb[i])
                n += len(chunk[-1])
                i += 1
            if len(chunk) >= 2:
                k = int(rng.integers(1, len(chunk)))
                a = np.concatenate(chunk[:k])
                b = np.concatenate(chunk[k:])
            else:
                t = chunk[0]
                if len(t) < 4:
                    continue
                k = int(rng.integers(1, len(t)))
                a, b = t[:k], t[k:]
            while len(a) + len(b) > target:  # trim far ends, keep the A|B boundary
                if len(a) > len(b):
                    a = a[1:]
                else:
                    b = b[:-1]
            if len(a) == 0 or len(b) == 0:
                continue
            label = 0
            if rng.random() < 0.5:
                a, b, label = b, a, 1
            ids = np.concatenate([[CLS], a, [SEP], b, [SEP]])
            tt = np.concatenate([np.zeros(len(a) + 2, np.int64), np.ones(len(b) + 1, np.int64)])
            return ids, tt, label

    def packed(self, src):
        rng, target = self.rng, self.max_len - 2
        parts, n = [], 0
        while n < target:
            t = src[int(rng.integers(0, len(src)))]
            parts.append(t)
            n += len(t)
        x = np.concatenate(parts)[:target]
        ids = np.concatenate([[CLS], x, [SEP]])
        return ids, np.zeros(len(ids), np.int64), -100

    def example(self):
        k = self.rng.choice(3, p=self.w)
        if k == 0:
            return self.sop()
        return self.packed(self.sst if k == 1 else self.tw)

    def padded_with_positions(self, bs, mask_prob):
        """bs examples padded to the longest: ids, token types, attention mask, SOP labels, and the
        flat positions of round(mask_prob) of each row's tokens ([CLS]/[SEP] excluded), sorted."""
        exs = [self.example() for _ in range(bs)]
        L = max(len(e[0]) for e in exs)
        ids = np.zeros((bs, L), np.int64)
        tt = np.zeros((bs, L), np.int64)
        am = np.zeros((bs, L), np.int64)
        sop = np.array([e[2] for e in exs], np.int64)
        for i, (x, t, _) in enumerate(exs):
            ids[i, :len(x)] = x
            tt[i, :len(x)] = t
            am[i, :len(x)] = 1
        cand = (am == 1) & (ids != CLS) & (ids != SEP)
        pos = []
        for i in range(bs):
            c = np.flatnonzero(cand[i])
            m = max(1, int(round(mask_prob * len(c))))
            pos.append(i * L + self.rng.choice(c, size=m, replace=False))
        return ids, tt, am, sop, np.sort(np.concatenate(pos))

    def batch(self, bs, vocab, mask_prob=0.15):
        ids, tt, am, sop, pos = self.padded_with_positions(bs, mask_prob)
        flat = ids.reshape(-1)
        targets = flat[pos].copy()
        r = self.rng.random(len(pos))
        flat[pos[r < 0.8]] = MASK
        rnd = pos[(r >= 0.8) & (r < 0.9)]
        flat[rnd] = self.rng.integers(5, vocab, size=len(rnd))
        return (torch.from_numpy(ids), torch.from_numpy(am), torch.from_numpy(tt), torch.from_numpy(pos),
                torch.from_numpy(targets.astype(np.int64)), torch.from_numpy(sop))


def add_run_args(ap, snapshot_every):
    """Options every pretraining script shares: seed, logging, checkpoints, stop time, bf16, threads."""
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--log-every", type=int, default=25)
    ap.add_argument("--ckpt-min", type=float, default=5.0, help="minutes between checkpoints (ckpt.pt)")
    ap.add_argument("--snapshot-every", type=int, default=snapshot_every)
    ap.add_argument("--stop-at", default=None, help="UTC HH:MM: checkpoint and exit at this time")
    ap.add_argument("--bf16", action="store_true", help="bfloat16 autocast on CPU (always on for CUDA)")
    ap.add_argument("--threads", type=int, default=1)


def stop_timestamp(stop_at):
    """--stop-at HH:MM (UTC) as a Unix time: the next such moment (today, or tomorrow if it is
    more than 12 hours past); None when not given."""
    if not stop_at:
        return None
    now = dt.datetime.now(dt.timezone.utc)
    hh, mm = map(int, stop_at.split(":"))
    st = now.replace(hour=hh, minute=mm, second=0, microsecond=0)
    if st < now - dt.timedelta(hours=12):
        st += dt.timedelta(days=1)
    return st.timestamp()


def progress(step, train_time, a):
    """Fraction of the budget used: by steps, or by training seconds when --time-budget-min is set."""
    if a.time_budget_min:
        return train_time / (a.time_budget_min * 60.0)
    return step / a.steps


def lr_at(step, train_time, a, continued_at=None):
    """Linear warmup, then linear decay to 0 (by training time or by steps); after --continue-from,
    the schedule's lr ramps up again from 0 over --rewarmup steps (fresh Adam moments)."""
    if step < a.warmup:
        return a.lr * (step + 1) / a.warmup
    if a.time_budget_min:
        lr = a.lr * max(0.0, 1.0 - progress(step, train_time, a))
    else:
        lr = a.lr * max(0.0, (a.steps - step) / max(1, a.steps - a.warmup))
    if continued_at is not None and a.rewarmup:
        lr *= min(1.0, (step - continued_at + 1) / a.rewarmup)
    return lr


# tied copies in AlbertForPreTraining: the MLM decoder shares the word embeddings, predictions.bias its bias
TIES = {"predictions.decoder.weight": "albert.embeddings.word_embeddings.weight",
        "predictions.bias": "predictions.decoder.bias"}


def restore_checkpoint(ck, model, opt, rng, dev):
    """Loads a ckpt.pt dict (weights, optimizer, numpy and torch RNG states) into a run; returns
    its (step, tokens, training seconds)."""
    model.load_state_dict(ck["model"])
    opt.load_state_dict(ck["opt"])
    rng.bit_generator.state = ck["rng"]
    R.restore_rng_states(ck, dev)
    return ck["step"], ck["tokens"], ck["train_time"]


def save_atomic(obj, path):
    torch.save(obj, path + ".tmp")
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=D.DEFAULT_DATA)
    ap.add_argument("--spm", default=D.DEFAULT_SPM)
    ap.add_argument("--out", default=os.path.join(D.HERE, "runs", "pretrain"))
    ap.add_argument("--config", default=None, help="JSON file overriding model shape")
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--intermediate", type=int, default=1024)
    ap.add_argument("--embedding", type=int, default=128)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=3000, help="total steps (lr decays linearly to 0 here)")
    ap.add_argument("--time-budget-min", type=float, default=0.0,
                    help="if set: lr decays linearly to 0 over this many minutes of training time and the run "
                         "ends there (--steps is then only an upper bound)")
    ap.add_argument("--warmup", type=int, default=250)
    ap.add_argument("--lr", type=float, default=8e-4)
    ap.add_argument("--wd", type=float, default=0.01)
    ap.add_argument("--dropout", type=float, default=0.0, help="ALBERT v2 pretrains without dropout")
    ap.add_argument("--mix", default="0.5,0.2,0.3", help="sampling weights: imdb SOP, sst2 packed, tweets packed")
    add_run_args(ap, snapshot_every=500)
    ap.add_argument("--init-from", default=None,
                    help="start a new run (new --out) from the weights of a previous one, e.g. "
                         "runs/pretrain/model_final.pt, with a fresh optimizer and lr schedule")
    ap.add_argument("--init-embeddings", default=None,
                    help="float32 .npy [vocab, E] (embed_init.py) for the word embeddings (and so the tied MLM "
                         "decoder) of a new run")
    ap.add_argument("--continue-from", default=None,
                    help="new run (new --out) continuing an --export .safetensors: same schedule position "
                         "(its step, tokens, training minutes), same lr/--time-budget-min, fresh optimizer")
    ap.add_argument("--rewarmup", type=int, default=200, help="lr re-warmup steps after --continue-from")
    ap.add_argument("--export", default=None, help="also write the final weights as fp16 safetensors here")
    ap.add_argument("--bench", type=int, default=0, help="run N steps, print speed, save nothing")
    a = ap.parse_args()

    dev, use_bf16 = R.setup(a.threads, a.bf16)
    os.makedirs(a.out, exist_ok=True)
    cfg = dict(DEFAULT_CONFIG)
    cfg.update(hidden_size=a.hidden, num_hidden_layers=a.layers, num_attention_heads=a.heads,
               intermediate_size=a.intermediate, embedding_size=a.embedding,
               hidden_dropout_prob=a.dropout, attention_probs_dropout_prob=a.dropout,
               classifier_dropout_prob=a.dropout)
    if a.config:
        cfg.update(json.load(open(a.config)))
    stop_ts = stop_timestamp(a.stop_at)

    ck = os.path.join(a.out, "ckpt.pt")
    resume = torch.load(ck, map_location="cpu") if os.path.exists(ck) and not a.bench else None
    cont_meta, cont_sd = load_fp16_export(a.continue_from, TIES, "mlm") if resume is None and a.continue_from else (None, None)
    if resume is not None:
        cfg = resume["config"]
    elif cont_meta is not None:
        cfg = json.loads(cont_meta["config"])
    # a continued run draws a new data stream, not the first run's again
    seed = a.seed if cont_meta is None else a.seed + int(cont_meta["step"])
    torch.manual_seed(seed)
    model = AlbertForPreTraining(cfg).to(dev)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    nodecay = [p for n, p in model.named_parameters() if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.wd}, {"params": nodecay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.98), eps=1e-6)
    rng = np.random.default_rng(seed)
    step, tokens_seen, train_time, continued_at = 0, 0, 0.0, None
    if resume is not None:
        step, tokens_seen, train_time = restore_checkpoint(resume, model, opt, rng, dev)
        continued_at = resume.get("continued_at")
        print(f"resumed from {ck} at step {step}", flush=True)
    elif cont_meta is not None:
        model.load_state_dict(cont_sd)
        step, tokens_seen, train_time = int(cont_meta["step"]), int(cont_meta["tokens"]), float(cont_meta["train_time"])
        continued_at = step
        print(f"continuing {a.continue_from} at step {step} ({tokens_seen / 1e6:.2f}M tokens, "
              f"{train_time / 60:.1f} training min), fresh optimizer, re-warmup {a.rewarmup} steps", flush=True)
    elif a.init_from:
        s = torch.load(a.init_from, map_location="cpu")
        model.load_state_dict(s["model"])
        cfg = s["config"]
        print(f"initialized weights from {a.init_from} (its step {s.get('step')})", flush=True)
    elif a.init_embeddings:
        load_word_embeddings(model.albert, a.init_embeddings)
    json.dump(cfg, open(os.path.join(a.out, "config.json"), "w"), indent=2)
    corpus = D.pretrain_corpus(a.data, a.spm)
    sampler = Sampler(corpus, a.max_len, [float(x) for x in a.mix.split(",")], rng)
    print("args", vars(a), "device", dev.type, "bf16", use_bf16, flush=True)
    print("params %.2fM" % (sum(p.numel() for p in model.parameters()) / 1e6), flush=True)

    def checkpoint(final=False):
        if a.bench:
            return
        save_atomic({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "tokens": tokens_seen,
                     "train_time": train_time, "rng": rng.bit_generator.state, **R.rng_states(dev),
                     "config": cfg, "args": vars(a), "continued_at": continued_at}, ck)
        print(f"checkpoint step {step} -> {ck}{' (final)' if final else ''}", flush=True)

    model.train()
    last_ck = time.time()
    agg = dict(loss=0.0, mlm=0.0, mlm_ok=0, mlm_n=0, sop_ok=0, sop_n=0, tok=0, n=0, t=0.0)
    start_step, start_time = step, train_time
    limit = start_step + a.bench if a.bench else a.steps
    while step < limit:
        t0 = time.time()
        ids, am, tt, pos, tgt, sop = (x.to(dev) for x in sampler.batch(a.batch, cfg["vocab_size"]))
        for g in opt.param_groups:
            g["lr"] = lr_at(step, train_time, a, continued_at)
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=use_bf16):
            mlm_logits, sop_logits = model(ids, am, tt, pos)
        mlm_logits, sop_logits = mlm_logits.float(), sop_logits.float()
        mlm_loss = F.cross_entropy(mlm_logits, tgt)
        has_sop = (sop >= 0).any()
        sop_loss = F.cross_entropy(sop_logits, sop, ignore_index=-100) if has_sop else torch.zeros((), device=dev)
        loss = mlm_loss + sop_loss
        R.optimizer_step(loss, model, opt, dev)
        dtime = time.time() - t0
        step += 1
        ntok = int(am.sum())
        tokens_seen += ntok
        train_time += dtime
        with torch.no_grad():
            agg["loss"] += loss.item(); agg["mlm"] += mlm_loss.item()
            agg["mlm_ok"] += int((mlm_logits.argmax(-1) == tgt).sum()); agg["mlm_n"] += len(tgt)
            m = sop >= 0
            agg["sop_ok"] += int((sop_logits.argmax(-1)[m] == sop[m]).sum()); agg["sop_n"] += int(m.sum())
            agg["tok"] += ntok; agg["n"] += 1; agg["t"] += dtime
        if step % a.log_every == 0 or step == limit:
            n = agg["n"]
            print("step %d lr %.2e loss %.3f mlm %.3f mlm_acc %.3f sop_acc %.3f (n=%d) tok/s %.0f s/step %.2f "
                  "tokens %.2fM train_min %.1f utc %s" % (
                      step, lr_at(step - 1, train_time, a, continued_at), agg["loss"] / n, agg["mlm"] / n, agg["mlm_ok"] / max(1, agg["mlm_n"]),
                      agg["sop_ok"] / max(1, agg["sop_n"]), agg["sop_n"], agg["tok"] / agg["t"], agg["t"] / n,
                      tokens_seen / 1e6, train_time / 60, dt.datetime.utcnow().strftime("%H:%M:%S")), flush=True)
            agg = {k: 0 if isinstance(v, int) else 0.0 for k, v in agg.items()}
        if not a.bench and a.snapshot_every and step % a.snapshot_every == 0:
            save_atomic({"model": model.state_dict(), "config": cfg, "step": step},
                        os.path.join(a.out, f"model_step{step}.pt"))
        if time.time() - last_ck > a.ckpt_min * 60:
            checkpoint()
            last_ck = time.time()
        if a.time_budget_min and not a.bench and progress(step, train_time, a) >= 1.0:
            print("time budget reached", flush=True)
            break
        if stop_ts and time.time() >= stop_ts:
            print("stop-at time reached", flush=True)
            break
    checkpoint(final=True)
    if not a.bench:
        save_atomic({"model": model.state_dict(), "config": cfg, "step": step}, os.path.join(a.out, "model_final.pt"))
    if a.export and not a.bench:
        save_fp16_export(model.cpu(), a.export, TIES, {"kind": "mlm", "config": json.dumps(cfg), "step": str(step),
                                                        "tokens": str(tokens_seen), "train_time": "%.1f" % train_time})
    if a.bench:
        print("bench: %d steps in %.1fs" % (step - start_step, train_time - start_time), flush=True)


if __name__ == "__main__":
    main()
