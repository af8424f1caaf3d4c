#!/usr/bin/env python3
"""Fine-tune ALBERT for named-entity recognition (`ner`) on CoNLL-2003 and export the checkpoint
that is best on the SELECTION split as a Hugging Face AlbertForTokenClassification directory.

  --init random | <pretrain_electra.py --export .safetensors> | <pretrain.py checkpoint .pt>

Labels (this order): O, B-PER, I-PER, B-ORG, I-ORG, B-LOC, I-LOC, B-MISC, I-MISC.
Tokenization as the product serves it: the text is the sentence's words joined by single spaces,
pieces by tok.AlbertTok (uncased: capitalisation is gone); each word's FIRST piece carries the
word's label, its other pieces and [CLS]/[SEP] are ignored (-100), as Hugging Face does; at most
--max-len positions (pieces beyond are truncated, counted in the log; their words predict O).
Per-word tokenization is checked against whole-sentence tokenization (mismatches are counted).
A word's prediction = argmax of the logits at its first piece; metric = entity-level F1, exact
span and type, seqeval semantics (ner_f1.py).

Honest protocol (splits.py `conll_selection`): 1,000 train sentences (seed 20261130) leave
training; checkpoints are chosen on them only; dev.txt is scored ONCE at the end for the
exported checkpoint (runs/ft/<name>/final.json).
Schedule: linear warmup, then linear decay to 0 over --time-budget-min of training time, or
(with --stop-at HH:MM UTC) over the wall time until then, whichever runs out first, so the run
ends on time whatever the machine's load. Resumable: re-run the same command.
"""
import argparse
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
from model import DEFAULT_CONFIG, AlbertForTokenClassification, load_init, load_safetensors, save_safetensors  # noqa: E402
from ner_f1 import f1_report  # noqa: E402
from pretrain import stop_timestamp  # noqa: E402
from tok import CLS, SEP, AlbertTok  # noqa: E402

LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
L2I = {l: i for i, l in enumerate(LABELS)}
IGNORE = -100


def case_types(word, pieces):
    """Token type per piece of one word for --case-types: 1 when the piece's first character in the
    ORIGINAL word is an uppercase letter (c != c.lower()), else 0; a lone "\u2581" piece gets 0. The
    product computes the same from its offsets (tokenizer `caseTokenTypes`). Pieces spell the
    preprocessed (lowercased) word; where preprocessing changed its length, positions are clamped."""
    pw = AlbertTok.preprocess(word)
    out, at = [], 0
    for p in pieces:
        content = p.lstrip("\u2581")
        if not content:
            out.append(0)
            continue
        i = pw.find(content, at)
        i = at if i < 0 else i
        c = word[min(i, len(word) - 1)]
        out.append(1 if c != c.lower() else 0)
        at = i + len(content)
    return out


def encode_sentences(sents, tok, max_len, cased=False):
    """[(words, tags)] -> list of (ids [T], labels [T] with -100 off first pieces, first-piece
    position of each word or -1 if truncated, token types [T]: zeros, or with `cased` the case
    types of case_types()), plus counts."""
    out, n_trunc, n_mismatch = [], 0, 0
    for words, tags in sents:
        ids, lab, first, types = [CLS], [IGNORE], [], [0]
        per_word = [tok.pieces(w) for w in words]
        if [p for ps in per_word for p in ps] != tok.pieces(" ".join(words)):
            n_mismatch += 1
        for w, ps, t in zip(words, per_word, tags):
            if not ps or len(ids) + 1 > max_len - 1:
                first.append(-1)
                continue
            first.append(len(ids))
            ct = case_types(w, ps) if cased else [0] * len(ps)
            for j, p in enumerate(ps):
                if len(ids) >= max_len - 1:
                    break
                ids.append(tok.sp.piece_to_id(p))
                lab.append(L2I[t] if j == 0 else IGNORE)
                types.append(ct[j])
        if len(ids) - 1 < sum(len(ps) for ps in per_word):
            n_trunc += 1
        ids.append(SEP)
        lab.append(IGNORE)
        types.append(0)
        out.append((np.array(ids, np.int64), np.array(lab, np.int64), np.array(first, np.int64), np.array(types, np.int64)))
    return out, n_trunc, n_mismatch


def collate(items):
    T = max(len(x[0]) for x in items)
    ids = np.zeros((len(items), T), np.int64)
    am = np.zeros((len(items), T), np.int64)
    lab = np.full((len(items), T), IGNORE, np.int64)
    types = np.zeros((len(items), T), np.int64)
    for i, (x, y, _, tt) in enumerate(items):
        ids[i, :len(x)] = x
        am[i, :len(x)] = 1
        lab[i, :len(y)] = y
        types[i, :len(tt)] = tt
    return torch.from_numpy(ids), torch.from_numpy(am), torch.from_numpy(lab), torch.from_numpy(types)


def predict_tags(model, enc, bs=64):
    """Predicted tag list per sentence (word level; truncated words -> O), fp32."""
    model.eval()
    dev = next(model.parameters()).device
    order = np.argsort([len(x[0]) for x in enc])
    preds = [None] * len(enc)
    with torch.no_grad():
        for i in range(0, len(enc), bs):
            idx = order[i:i + bs]
            ids, am, _, types = collate([enc[j] for j in idx])
            arg = model(ids.to(dev), am.to(dev), types.to(dev)).float().argmax(-1).cpu().numpy()
            for r, j in enumerate(idx):
                first = enc[j][2]
                preds[j] = [LABELS[arg[r, p]] if p >= 0 else "O" for p in first]
    model.train()
    return preds


def evaluate(model, enc, gold):
    rep = f1_report(gold, predict_tags(model, enc))
    return rep["overall"]["f1"], rep


def export_hf(model, cfg, out_dir, spm_path, meta, meta_path, cased=False):
    """Hugging Face layout: config.json, model.safetensors (fp32), spiece.model, tokenizer_config.json."""
    tmp = out_dir + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    hf = {"architectures": ["AlbertForTokenClassification"]}
    for k in DEFAULT_CONFIG:
        hf[k] = cfg[k]
    hf["hidden_dropout_prob"] = 0.1
    hf["attention_probs_dropout_prob"] = 0.1
    hf["classifier_dropout_prob"] = 0.1
    hf["id2label"] = {str(i): l for i, l in enumerate(LABELS)}
    hf["label2id"] = dict(L2I)
    if cased:
        hf["case_token_types"] = True  # read by `albert-edge convert` into the manifest
    json.dump(hf, open(os.path.join(tmp, "config.json"), "w"), indent=2)
    json.dump({"do_lower_case": True, "keep_accents": False, "remove_space": True, "tokenizer_class": "AlbertTokenizer"},
              open(os.path.join(tmp, "tokenizer_config.json"), "w"), indent=2)
    shutil.copyfile(spm_path, os.path.join(tmp, "spiece.model"))
    sd = {k: v for k, v in model.state_dict().items()}
    assert not any(k.startswith("albert.pooler.") for k in sd)
    save_safetensors(sd, os.path.join(tmp, "model.safetensors"), {"format": "pt"})
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(tmp, out_dir)
    json.dump(meta, open(meta_path, "w"), indent=2)


def load_export(export_dir):
    cfg = json.load(open(os.path.join(export_dir, "config.json")))
    assert [cfg["id2label"][str(i)] for i in range(len(LABELS))] == LABELS, cfg["id2label"]
    cfg["num_labels"] = len(LABELS)
    m = AlbertForTokenClassification(cfg)
    missing, unexpected = m.load_state_dict(load_safetensors(os.path.join(export_dir, "model.safetensors")), strict=False)
    assert not missing and not unexpected, (missing, unexpected)
    return cfg, m


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--init", "--init-from", dest="init", default="random")
    ap.add_argument("--name", required=True, help="run name: runs/ft/<name>/")
    ap.add_argument("--export", default=None, help="HF output dir (default runs/export/<name>)")
    ap.add_argument("--data", default=D.DEFAULT_DATA)
    ap.add_argument("--spm", default=D.DEFAULT_SPM)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--wd", type=float, default=0.01)
    ap.add_argument("--warmup-frac", type=float, default=0.06)
    ap.add_argument("--label-smoothing", type=float, default=0.0)
    ap.add_argument("--epochs", type=float, default=40.0, help="upper bound on epochs")
    ap.add_argument("--time-budget-min", type=float, default=20.0, help="lr decays to 0 over this much training time")
    ap.add_argument("--stop-at", default=None, help="UTC HH:MM: the schedule also ends (lr 0, run stops) by then")
    ap.add_argument("--eval-every", type=int, default=400)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--bf16", action="store_true", help="bfloat16 autocast in training (always on for CUDA)")
    ap.add_argument("--ckpt-min", type=float, default=5.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--case-types", action="store_true",
                    help="token type 1 on pieces whose first original character is uppercase (capitalisation "
                         "for the uncased vocabulary); the export's config.json says case_token_types: true")
    ap.add_argument("--no-final", action="store_true", help="skip the final dev evaluation")
    a = ap.parse_args()
    dev, use_bf16 = R.setup(a.threads, a.bf16)
    run = os.path.join(D.HERE, "runs", "ft", a.name)
    export = a.export or os.path.join(D.HERE, "runs", "export", a.name)
    os.makedirs(run, exist_ok=True)
    print("args", vars(a), flush=True)

    cfg = dict(DEFAULT_CONFIG)
    init_sd = None
    if a.init != "random":
        init_sd, desc = load_init(a.init, cfg, pooler=False)
        print(f"init from {a.init} ({desc})", flush=True)
    cfg.update(hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, classifier_dropout_prob=0.1)
    cfg["num_labels"] = len(LABELS)
    torch.manual_seed(a.seed)
    model = AlbertForTokenClassification(cfg)
    if init_sd is not None:
        missing, unexpected = model.load_state_dict(init_sd, strict=False)
        assert set(missing) == {"classifier.weight", "classifier.bias"} and not unexpected, (missing, unexpected)
    model.to(dev)

    tok = AlbertTok(a.spm)
    sents = D.read_conll(a.data, "train")
    sel_idx, keep_idx = S.conll_selection(a.data)
    train, tr_trunc, tr_mis = encode_sentences([sents[i] for i in keep_idx], tok, a.max_len, a.case_types)
    sel, se_trunc, se_mis = encode_sentences([sents[i] for i in sel_idx], tok, a.max_len, a.case_types)
    if a.case_types:
        n1 = sum(int(x[3].sum()) for x in train)
        print(f"case types: {n1} of {sum(len(x[3]) for x in train)} training positions are type 1", flush=True)
    sel_gold = [sents[i][1] for i in sel_idx]
    print(f"train sentences {len(train)} (truncated {tr_trunc}, per-word/sentence piece mismatches {tr_mis}); "
          f"selection {len(sel)} (truncated {se_trunc}, mismatches {se_mis}); device {dev.type}", flush=True)

    rng = np.random.default_rng(a.seed)
    per_epoch = len(train) // a.batch
    max_steps = int(a.epochs * per_epoch)
    batches = []  # deterministic plan (length-bucketed within windows of 50 batches)
    for _ in range(int(np.ceil(a.epochs))):
        perm = rng.permutation(len(train))
        for w in range(0, len(perm), a.batch * 50):
            win = perm[w:w + a.batch * 50]
            win = win[np.argsort([len(train[i][0]) for i in win], kind="stable")]
            bl = [win[i:i + a.batch] for i in range(0, len(win), a.batch) if len(win[i:i + a.batch]) == a.batch]
            rng.shuffle(bl)
            batches += bl
    batches = batches[:max_steps]

    decay = [p for _, p in model.named_parameters() if p.ndim >= 2]
    nodecay = [p for _, p in model.named_parameters() if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.wd}, {"params": nodecay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.98), eps=1e-6)
    step, train_time, best, history = 0, 0.0, -1.0, []
    wall_start = time.time()
    ck = os.path.join(run, "ckpt.pt")
    if os.path.exists(ck):
        s = torch.load(ck, map_location="cpu")  # the RNG state must stay a CPU tensor; load_state_dict moves the rest
        model.load_state_dict(s["model"])
        opt.load_state_dict(s["opt"])
        step, train_time, best, history = s["step"], s["train_time"], s["best"], s["history"]
        wall_start = s["wall_start"]
        R.restore_rng_states(s, dev)
        print(f"resumed at step {step}, best {best:.4f}", flush=True)
    budget = a.time_budget_min * 60.0
    stop_ts = stop_timestamp(a.stop_at)
    warm = max(1, int(a.warmup_frac * min(max_steps, budget / 0.3)))

    def progress():
        p = max(train_time / budget, step / max_steps)
        if stop_ts is not None:
            p = max(p, (time.time() - wall_start) / max(1.0, stop_ts - wall_start))
        return p

    def lr_now():
        if step < warm:
            return a.lr * (step + 1) / warm
        return a.lr * max(0.0, 1.0 - progress())

    def checkpoint():
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "train_time": train_time,
                    "best": best, "history": history, **R.rng_states(dev), "wall_start": wall_start},
                   ck + ".tmp")
        os.replace(ck + ".tmp", ck)

    def do_eval():
        nonlocal best
        score, rep = evaluate(model, sel, sel_gold)
        rec = {"step": step, "epoch": round(step / per_epoch, 3), "train_min": round(train_time / 60, 2),
               "utc": dt.datetime.utcnow().strftime("%H:%M:%S"), "select_f1": score,
               "per_type": {k: v["f1"] for k, v in rep.items() if k != "overall"}}
        history.append(rec)
        flag = ""
        if score > best:
            best = score
            flag = " *best*"
            export_hf(model, cfg, export, a.spm,
                      {"task": "ner", "init": a.init, "seed": a.seed, "args": vars(a), "select": rec, "select_report": rep,
                       "note": "PyTorch fp32 entity F1 on the selection split (carved from train)", "export": export},
                      os.path.join(run, "best_metrics.json"), cased=a.case_types)
        print("eval " + json.dumps(rec) + flag, flush=True)

    model.train()
    last_ck = time.time()
    lsum, n, t_log = 0.0, 0, 0.0
    if step == 0:
        print("init select F1 %.4f" % evaluate(model, sel, sel_gold)[0], flush=True)
    while step < len(batches) and progress() < 1.0:
        t0 = time.time()
        ids, am, lab, types = (x.to(dev) for x in collate([train[i] for i in batches[step]]))
        for g in opt.param_groups:
            g["lr"] = lr_now()
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=use_bf16):
            logits = model(ids, am, types)
        loss = F.cross_entropy(logits.float().reshape(-1, len(LABELS)), lab.reshape(-1), ignore_index=IGNORE,
                               label_smoothing=a.label_smoothing)
        R.optimizer_step(loss, model, opt, dev)
        step += 1
        dtt = time.time() - t0
        train_time += dtt
        t_log += dtt
        lsum += loss.item()
        n += 1
        if step % 100 == 0:
            print("step %d ep %.2f lr %.2e loss %.4f s/step %.3f train_min %.1f progress %.3f utc %s" % (
                step, step / per_epoch, lr_now(), lsum / n, t_log / n, train_time / 60, progress(),
                dt.datetime.utcnow().strftime("%H:%M:%S")), flush=True)
            lsum, n, t_log = 0.0, 0, 0.0
        if step % a.eval_every == 0:
            do_eval()
        if time.time() - last_ck > a.ckpt_min * 60:
            checkpoint()
            last_ck = time.time()
    if not history or history[-1]["step"] != step:
        do_eval()
    checkpoint()
    b = max(history, key=lambda r: r["select_f1"])
    print("done; best on the selection split " + json.dumps(b) + f" -> {export}", flush=True)
    json.dump({"best": b, "history": history, "args": vars(a)}, open(os.path.join(run, "summary.json"), "w"), indent=2)
    if not a.no_final:
        final_report(a, export, run, tok)


def final_report(a, export, run, tok):
    """The exported checkpoint, fp32: selection split again (round trip of the export), then dev.txt ONCE."""
    cfg, model = load_export(export)
    cased = bool(cfg.get("case_token_types", False))
    model.to(R.device())
    sents = D.read_conll(a.data, "train")
    sel_idx, _ = S.conll_selection(a.data)
    out = {"export": export}
    for split, ss in (("select", [sents[i] for i in sel_idx]), ("dev", D.read_conll(a.data, "dev"))):
        enc, n_trunc, n_mis = encode_sentences(ss, tok, a.max_len, cased)
        _, rep = evaluate(model, enc, [t for _, t in ss])
        out[split] = {"report": rep, "sentences": len(ss), "truncated": n_trunc, "piece_mismatches": n_mis}
        print(f"final {split}: " + json.dumps(out[split]), flush=True)
    json.dump(out, open(os.path.join(run, "final.json"), "w"), indent=2)


if __name__ == "__main__":
    main()
