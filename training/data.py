"""Dataset reading, cleaning and pre-tokenization (cached as numpy under runs/cache/).

All text goes through tok.AlbertTok (AlbertTokenizer preprocessing). Only TRAIN splits
feed pretraining: IMDB train reviews, SST-2 train, TweetEval hate/offensive train, Davidson.
"""
import csv
import html
import os
import re

import numpy as np

from conll import read_conll, sentence_texts  # noqa: F401  (read_conll: D.read_conll)
from splits import read_sst2  # noqa: F401  (D.read_sst2)
from tok import AlbertTok

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "datasets"))
DEFAULT_SPM = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "tokenizer", "spiece.model"))
CACHE = os.path.join(HERE, "runs", "cache")

_MENTION = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+")
_SENT = re.compile(r"(?<=[.!?])\s+")


def clean_imdb(t):
    return t.replace("<br />", " ").replace("<br/>", " ")


def clean_tweet(t):
    """Davidson tweets -> TweetEval style (@user, html unescaped). TweetEval is already so."""
    t = html.unescape(t)
    t = _MENTION.sub("@user", t)
    t = _URL.sub("http", t)
    return t


# ------------------------------------------------------------------ raw readers
def read_imdb(data):
    texts, labels = [], []
    with open(os.path.join(data, "imdb", "train.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            _id, _rating, label, text = line.rstrip("\n").split("\t", 3)
            texts.append(clean_imdb(text))
            labels.append(int(label))
    return texts, labels


def read_tweeteval(data, task, split):
    d = os.path.join(data, "tweeteval", task)
    with open(os.path.join(d, f"{split}_text.txt"), encoding="utf-8") as f:
        texts = [l.rstrip("\n") for l in f]
    with open(os.path.join(d, f"{split}_labels.txt"), encoding="utf-8") as f:
        labels = [int(l.strip()) for l in f if l.strip() != ""]
    assert len(texts) == len(labels), (task, split, len(texts), len(labels))
    return texts, labels


def read_davidson(data):
    texts, classes = [], []
    with open(os.path.join(data, "davidson", "labeled_data.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            texts.append(clean_tweet(row["tweet"]))
            classes.append(int(row["class"]))
    return texts, classes


# ------------------------------------------------------------------ caching
def _ragged(seqs):
    lens = np.array([len(s) for s in seqs], dtype=np.int64)
    off = np.zeros(len(seqs) + 1, dtype=np.int64)
    np.cumsum(lens, out=off[1:])
    flat = np.zeros(int(off[-1]), dtype=np.uint16)
    for i, s in enumerate(seqs):
        flat[off[i]:off[i + 1]] = s
    return flat, off


class Ragged:
    def __init__(self, flat, off):
        self.flat, self.off = flat, off

    def __len__(self):
        return len(self.off) - 1

    def __getitem__(self, i):
        return self.flat[self.off[i]:self.off[i + 1]]

    def lengths(self):
        return np.diff(self.off)


def cached(name, build):
    os.makedirs(CACHE, exist_ok=True)
    p = os.path.join(CACHE, name + ".npz")
    if not os.path.exists(p):
        arrays = build()
        np.savez(p + ".tmp.npz", **arrays)
        os.replace(p + ".tmp.npz", p)
    return dict(np.load(p))


def labeled_set(name, data, spm_path=DEFAULT_SPM):
    """Returns (Ragged token ids without CLS/SEP, labels array [N, k] float with NaN = masked)."""
    def build():
        tok = AlbertTok(spm_path)
        if name.startswith("sst2_"):
            texts, labels = read_sst2(data, name[5:])
            y = np.array(labels, dtype=np.float32)[:, None]
        elif name == "imdb_train":
            texts, labels = read_imdb(data)
            y = np.array(labels, dtype=np.float32)[:, None]
        elif name.startswith("tweeteval_"):
            _, task, split = name.split("_")
            texts, labels = read_tweeteval(data, task, split)
            y = np.array(labels, dtype=np.float32)[:, None]
        elif name == "davidson":
            texts, classes = read_davidson(data)
            y = np.array(classes, dtype=np.float32)[:, None]
        else:
            raise ValueError(name)
        flat, off = _ragged([tok.encode(t) for t in texts])
        return {"flat": flat, "off": off, "y": y}
    d = cached("ft_" + name, build)
    return Ragged(d["flat"], d["off"]), d["y"]


def pretrain_corpus(data, spm_path=DEFAULT_SPM):
    """IMDB reviews as documents of sentences (for SOP) and short texts (SST-2, tweets)."""
    def build():
        tok = AlbertTok(spm_path)
        imdb, _ = read_imdb(data)
        sents, doc_off = [], [0]
        for t in imdb:
            ss = [s for s in (tok.encode(x) for x in _SENT.split(t.strip())) if len(s) > 0]
            sents.extend(ss)
            doc_off.append(len(sents))
        s_flat, s_off = _ragged(sents)
        sst, _ = read_sst2(data, "train")
        sst = sorted(set(sst))
        sst_flat, sst_off = _ragged([tok.encode(t) for t in sst])
        tw = []
        for task in ("hate", "offensive"):
            tw += read_tweeteval(data, task, "train")[0]
        tw += read_davidson(data)[0]
        tw_flat, tw_off = _ragged([tok.encode(t) for t in tw])
        return {"imdb_flat": s_flat, "imdb_sent_off": s_off, "imdb_doc_off": np.array(doc_off, dtype=np.int64),
                "sst_flat": sst_flat, "sst_off": sst_off, "tw_flat": tw_flat, "tw_off": tw_off}
    return cached("pretrain_corpus", build)


def conll_corpus(data, spm_path=DEFAULT_SPM):
    """CoNLL-2003 train sentences (unlabelled text for ELECTRA pretraining), ragged token ids."""
    def build():
        tok = AlbertTok(spm_path)
        flat, off = _ragged([tok.encode(t) for t in sentence_texts(data, "train")])
        return {"flat": flat, "off": off}
    return cached("conll_corpus", build)


if __name__ == "__main__":
    import sys
    import time
    data = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DATA
    t0 = time.time()
    c = pretrain_corpus(data)
    print("pretrain corpus tokens: imdb %d (%d docs, %d sents), sst2 %d (%d uniq), tweets %d (%d)" % (
        len(c["imdb_flat"]), len(c["imdb_doc_off"]) - 1, len(c["imdb_sent_off"]) - 1,
        len(c["sst_flat"]), len(c["sst_off"]) - 1, len(c["tw_flat"]), len(c["tw_off"]) - 1), time.time() - t0)
    for n in ["sst2_train", "sst2_dev", "imdb_train", "tweeteval_hate_train", "tweeteval_hate_val",
              "tweeteval_offensive_train", "tweeteval_offensive_val", "davidson"]:
        r, y = labeled_set(n, data)
        print(n, len(r), "tokens", int(r.lengths().sum()), "mean len %.1f" % r.lengths().mean(),
              "label mean %.3f" % float(np.nanmean(y)))
    print("done in %.0fs" % (time.time() - t0))
