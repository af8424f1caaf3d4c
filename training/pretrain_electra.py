#!/usr/bin/env python3
"""ELECTRA-style pretraining (replaced-token detection, Clark et al. 2020) of the ALBERT encoder.

Discriminator = the shipped ALBERT shape (E 128, H 256, 4 heads, I 1024, 6 passes of one
shared block, gelu_new, post-LN), parameter names `albert.*` as in finetune.py. Generator = a
small ALBERT (default H 64 = 1/4 of the discriminator width, 1 head, I 256, one shared block
run 6 times) that shares the discriminator's embedding module (word, position and token-type
embeddings + their LayerNorm, as in the ELECTRA paper) and whose MLM decoder is tied to the
word embeddings. Per step:
  1. mask 15% of the non-special tokens (85% -> [MASK], 15% kept, as ELECTRA's code);
  2. the generator predicts them (MLM loss, logits only at masked positions);
  3. a token is sampled from its softmax at each masked position (no gradient through it); with
     --random-replace P, a share P of the masked positions gets a uniformly random ordinary token
     instead (easy replacements that keep the discriminator's gradient alive while the generator
     sits on the unigram plateau, where the 2026-11-30 run collapsed to "all original");
  4. the discriminator labels every token of the corrupted input as original / replaced
     (sigmoid BCE over non-pad tokens, weight --disc-weight = 50 as the paper);
  5. optionally (--sop-weight, default 1) sentence-order prediction on the discriminator's
     pooler for the IMDB sentence pairs (trains the pooler that the classifiers start from).
Corpus (TRAIN splits only): IMDB reviews (SOP pairs of consecutive sentence spans), SST-2
train phrases, TweetEval hate/offensive train + Davidson tweets, CoNLL-2003 train sentences
(packed), sampled with --mix weights.

Resumable: runs/<out>/ckpt.pt every --ckpt-min minutes (atomic); re-run the same command to
resume. --time-budget-min sets the linear lr decay and the end; --stop-at HH:MM (UTC) is a
safety stop. Runs on CUDA when present (bf16 autocast there by default), on CPU otherwise.
Writes model_final.pt (finetune.py --init) and, with --export, the whole model (discriminator,
its RTD head, the generator) as fp16 safetensors with the configs in the metadata.
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
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
import runtime as R  # noqa: E402
from model import (DEFAULT_CONFIG, AlbertMLMHead, AlbertModel, AlbertSOPHead, AlbertTransformer,  # noqa: E402
                   gelu_new, init_weights, load_fp16_export, load_word_embeddings, save_fp16_export)
from pretrain import Sampler, add_run_args, restore_checkpoint, save_atomic, stop_timestamp  # noqa: E402
from tok import CLS, MASK, SEP  # noqa: E402

FIRST_ORDINARY = MASK + 1  # ids below are [PAD] [UNK] [CLS] [SEP] [MASK]


class DiscriminatorHead(nn.Module):
    """ELECTRA's discriminator_predictions: dense H->H, activation, dense H->1 per token."""

    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.dense_prediction = nn.Linear(c["hidden_size"], 1)

    def forward(self, h):
        return self.dense_prediction(gelu_new(self.dense(h))).squeeze(-1)


class Electra(nn.Module):
    def __init__(self, cfg, gcfg):
        super().__init__()
        self.config, self.gen_config = cfg, gcfg
        self.albert = AlbertModel(cfg)  # discriminator (what fine-tuning starts from)
        self.discriminator_predictions = DiscriminatorHead(cfg)
        self.sop_classifier = AlbertSOPHead(cfg)
        self.generator = AlbertTransformer(gcfg)  # its own E -> H_gen mapping + shared block
        self.generator_predictions = AlbertMLMHead(gcfg)
        init_weights(self, cfg["initializer_range"])
        self.generator_predictions.decoder.weight = self.albert.embeddings.word_embeddings.weight  # tied

    @staticmethod
    def _bias(am):
        return (1.0 - am[:, None, None, :].float()) * -10000.0

    def generate(self, ids, am, tt, pos):
        h = self.generator(self.albert.embeddings(ids, tt), self._bias(am))
        return self.generator_predictions(h.reshape(-1, h.shape[-1]).index_select(0, pos))

    def discriminate(self, ids, am, tt):
        h, pooled = self.albert(ids, am, tt)
        return self.discriminator_predictions(h), self.sop_classifier(pooled)


class ElectraSampler(Sampler):
    """pretrain.Sampler plus CoNLL sentences as a fourth (packed) source; ELECTRA masking."""

    def __init__(self, corpus, conll, max_len, weights, rng):
        super().__init__(corpus, max_len, weights[:3], rng)
        self.conll = D.Ragged(conll["flat"], conll["off"])
        self.w = np.array(weights, dtype=np.float64) / sum(weights)

    def example(self):
        k = self.rng.choice(len(self.w), p=self.w)
        if k == 0:
            return self.sop()
        return self.packed([self.sst, self.tw, self.conll][k - 1])

    def electra_batch(self, bs, mask_prob, mask_frac):
        ids, tt, am, sop, pos = self.padded_with_positions(bs, mask_prob)
        orig = ids.copy()
        flat = ids.reshape(-1)
        flat[pos[self.rng.random(len(pos)) < mask_frac]] = MASK
        t = torch.from_numpy
        return t(ids), t(orig), t(am), t(tt), t(pos), t(sop)


def lr_at(step, train_time, a):
    if step < a.warmup:
        return a.lr * (step + 1) / a.warmup
    return a.lr * max(0.0, 1.0 - train_time / (a.time_budget_min * 60.0))


# tied copies in Electra: the generator's decoder shares the word embeddings, its bias the decoder's bias
TIES = {"generator_predictions.decoder.weight": "albert.embeddings.word_embeddings.weight",
        "generator_predictions.bias": "generator_predictions.decoder.bias"}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=D.DEFAULT_DATA)
    ap.add_argument("--spm", default=D.DEFAULT_SPM)
    ap.add_argument("--out", default=os.path.join(D.HERE, "runs", "electra"))
    ap.add_argument("--export", default=None, help="also write the final model as fp16 safetensors here")
    ap.add_argument("--gen-hidden", type=int, default=64, help="generator width (discriminator: 256)")
    ap.add_argument("--gen-heads", type=int, default=1)
    ap.add_argument("--gen-intermediate", type=int, default=256)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--time-budget-min", type=float, required=True,
                    help="minutes of training time: lr decays linearly to 0 over it and the run ends there")
    ap.add_argument("--warmup", type=int, default=400)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--wd", type=float, default=0.01)
    ap.add_argument("--mask-prob", type=float, default=0.15)
    ap.add_argument("--mask-frac", type=float, default=0.85, help="of the masked positions, this share -> [MASK]")
    ap.add_argument("--disc-weight", type=float, default=50.0)
    ap.add_argument("--sop-weight", type=float, default=1.0)
    ap.add_argument("--mix", default="0.5,0.2,0.25,0.05",
                    help="sampling weights: imdb SOP pairs, sst2 packed, tweets packed, conll packed")
    add_run_args(ap, snapshot_every=1000)
    ap.add_argument("--init-from", default=None,
                    help="new run from earlier weights (an --export .safetensors or a model_final.pt of this "
                         "script), fresh optimizer and schedule; ignored once <out>/ckpt.pt exists")
    ap.add_argument("--init-embeddings", default=None,
                    help="float32 .npy [vocab, E] (embed_init.py) for the shared word embeddings of a new run")
    ap.add_argument("--random-replace", type=float, default=0.0,
                    help="share of the masked positions replaced by a uniformly random token, not a generator sample")
    a = ap.parse_args()

    dev, use_bf16 = R.setup(a.threads, a.bf16)
    os.makedirs(a.out, exist_ok=True)
    cfg = dict(DEFAULT_CONFIG, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, classifier_dropout_prob=0.0)
    gcfg = dict(cfg, hidden_size=a.gen_hidden, num_attention_heads=a.gen_heads, intermediate_size=a.gen_intermediate)
    stop_ts = stop_timestamp(a.stop_at)

    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    ck = os.path.join(a.out, "ckpt.pt")
    resume = torch.load(ck, map_location="cpu") if os.path.exists(ck) else None
    init_sd = None
    if resume is not None:
        cfg, gcfg = resume["config"], resume["gen_config"]
    elif a.init_from:
        if a.init_from.endswith(".safetensors"):
            meta, init_sd = load_fp16_export(a.init_from, TIES, "electra")
            cfg, gcfg = json.loads(meta["config"]), json.loads(meta["gen_config"])
        else:
            s = torch.load(a.init_from, map_location="cpu")
            cfg, gcfg, init_sd = s["config"], s["gen_config"], s["model"]
    model = Electra(cfg, gcfg)
    if init_sd is not None:
        model.load_state_dict({k: v.float() for k, v in init_sd.items()})
        print(f"initialized weights from {a.init_from}", flush=True)
    elif resume is None and a.init_embeddings:
        load_word_embeddings(model.albert, a.init_embeddings)
    model.to(dev)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    nodecay = [p for n, p in model.named_parameters() if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.wd}, {"params": nodecay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.98), eps=1e-6)
    step, tokens_seen, train_time = 0, 0, 0.0
    if resume is not None:
        step, tokens_seen, train_time = restore_checkpoint(resume, model, opt, rng, dev)
        print(f"resumed from {ck} at step {step} ({tokens_seen / 1e6:.2f}M tokens, {train_time / 60:.1f} min)",
              flush=True)
    json.dump({"discriminator": cfg, "generator": gcfg}, open(os.path.join(a.out, "config.json"), "w"), indent=2)
    sampler = ElectraSampler(D.pretrain_corpus(a.data, a.spm), D.conll_corpus(a.data, a.spm), a.max_len,
                             [float(x) for x in a.mix.split(",")], rng)
    n_disc = sum(p.numel() for n, p in model.named_parameters() if n.startswith("albert."))
    n_all = sum(p.numel() for p in model.parameters())
    print("args", vars(a), "device", dev.type, "bf16", use_bf16, flush=True)
    print("params: discriminator encoder %.2fM, all (generator, heads) %.2fM" % (n_disc / 1e6, n_all / 1e6), flush=True)

    def checkpoint(final=False):
        save_atomic({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "tokens": tokens_seen,
                     "train_time": train_time, "rng": rng.bit_generator.state, **R.rng_states(dev),
                     "config": cfg, "gen_config": gcfg, "args": vars(a)}, ck)
        print(f"checkpoint step {step} -> {ck}{' (final)' if final else ''}", flush=True)

    def weights(path):
        save_atomic({"model": model.state_dict(), "config": cfg, "gen_config": gcfg, "step": step,
                     "tokens": tokens_seen}, path)

    model.train()
    last_ck = time.time()
    keys = ("loss", "gen", "disc", "sop", "gen_ok", "gen_n", "rtd_ok", "rtd_n", "rep", "rep_ok", "orig_ok",
            "sop_ok", "sop_n", "tok", "n", "t")
    agg = dict.fromkeys(keys, 0.0)
    while True:
        if train_time >= a.time_budget_min * 60.0:
            print("time budget reached", flush=True)
            break
        if stop_ts and time.time() >= stop_ts:
            print("stop-at time reached", flush=True)
            break
        t0 = time.time()
        ids, orig, am, tt, pos, sop = (x.to(dev) for x in sampler.electra_batch(a.batch, a.mask_prob, a.mask_frac))
        for g in opt.param_groups:
            g["lr"] = lr_at(step, train_time, a)
        tgt = orig.reshape(-1)[pos]
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=use_bf16):
            gen_logits = model.generate(ids, am, tt, pos).float()
        gen_loss = F.cross_entropy(gen_logits, tgt)
        with torch.no_grad():
            sampled = torch.multinomial(F.softmax(gen_logits.detach(), -1), 1).squeeze(-1)
            corrupt = orig.clone().reshape(-1)
            if a.random_replace > 0:
                rnd = torch.rand(sampled.shape, device=dev) < a.random_replace
                uniform = torch.randint(FIRST_ORDINARY, cfg["vocab_size"], sampled.shape, device=dev)
                sampled = torch.where(rnd, uniform, sampled)
            corrupt[pos] = sampled
            corrupt = corrupt.view_as(orig)
            replaced = (corrupt != orig).float()
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=use_bf16):
            disc_logits, sop_logits = model.discriminate(corrupt, am, tt)
        disc_logits, sop_logits = disc_logits.float(), sop_logits.float()
        m = am.bool()
        disc_loss = F.binary_cross_entropy_with_logits(disc_logits[m], replaced[m])
        has_sop = bool((sop >= 0).any())
        sop_loss = F.cross_entropy(sop_logits, sop, ignore_index=-100) if has_sop else torch.zeros((), device=dev)
        loss = gen_loss + a.disc_weight * disc_loss + a.sop_weight * sop_loss
        R.optimizer_step(loss, model, opt, dev)
        dtime = time.time() - t0
        step += 1
        ntok = int(am.sum())
        tokens_seen += ntok
        train_time += dtime
        with torch.no_grad():
            pred = disc_logits[m] > 0
            r = replaced[m].bool()
            sm = sop >= 0
            for k, v in (("loss", loss.item()), ("gen", gen_loss.item()), ("disc", disc_loss.item()),
                         ("sop", sop_loss.item()), ("gen_ok", int((gen_logits.argmax(-1) == tgt).sum())),
                         ("gen_n", len(tgt)), ("rtd_ok", int((pred == r).sum())), ("rtd_n", int(m.sum())),
                         ("rep", int(r.sum())), ("rep_ok", int((pred & r).sum())), ("orig_ok", int((~pred & ~r).sum())),
                         ("sop_ok", int((sop_logits.argmax(-1)[sm] == sop[sm]).sum())), ("sop_n", int(sm.sum())),
                         ("tok", ntok), ("n", 1), ("t", dtime)):
                agg[k] += v
        if step % a.log_every == 0:
            n = agg["n"]
            print("step %d lr %.2e loss %.3f gen_mlm %.3f gen_acc %.3f disc %.4f rtd_acc %.4f replaced %.3f "
                  "rep_recall %.3f orig_acc %.4f sop %.3f sop_acc %.3f tok/s %.0f tokens %.2fM train_min %.1f utc %s" % (
                      step, lr_at(step - 1, train_time, a), agg["loss"] / n, agg["gen"] / n,
                      agg["gen_ok"] / max(1, agg["gen_n"]), agg["disc"] / n, agg["rtd_ok"] / max(1, agg["rtd_n"]),
                      agg["rep"] / max(1, agg["rtd_n"]), agg["rep_ok"] / max(1, agg["rep"]),
                      agg["orig_ok"] / max(1, agg["rtd_n"] - agg["rep"]), agg["sop"] / n,
                      agg["sop_ok"] / max(1, agg["sop_n"]), agg["tok"] / agg["t"], tokens_seen / 1e6,
                      train_time / 60, dt.datetime.utcnow().strftime("%H:%M:%S")), flush=True)
            agg = dict.fromkeys(keys, 0.0)
        if a.snapshot_every and step % a.snapshot_every == 0:
            weights(os.path.join(a.out, f"model_step{step}.pt"))
        if time.time() - last_ck > a.ckpt_min * 60:
            checkpoint()
            last_ck = time.time()
    checkpoint(final=True)
    weights(os.path.join(a.out, "model_final.pt"))
    print(f"done: step {step}, {tokens_seen / 1e6:.2f}M tokens, {train_time / 60:.1f} min of training", flush=True)
    if a.export:
        save_fp16_export(model.cpu(), a.export, TIES, {"kind": "electra", "config": json.dumps(model.config),
                                                        "gen_config": json.dumps(model.gen_config), "step": str(step),
                                                        "tokens": str(tokens_seen)})


if __name__ == "__main__":
    main()
