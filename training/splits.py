"""Selection splits carved from the TRAIN data (fixed seed), so that checkpoints, seeds and
early-exit settings are chosen without looking at the reported dev/val sets.

Standard library only (eval_shards.py imports it too).

* sentiment (`sst2_select`): 800 whole SST-2 train sentences drawn with seed SEED among the
  "maximal" train items (items of >= 5 words that occur in no other train item, i.e. the
  sentences whose phrases make up the rest of SST-2 train). Every train item that is a word span
  of a selected sentence (its sub-phrases, which SST-2 train also holds) is removed from
  training, so the selection sentences are unseen in any form. IMDB is not in it (SST-2 dev is
  SST-style sentences).
* NER (`conll_select`): 1,000 CoNLL-2003 train sentences drawn with seed SEED (Python's
  random.Random(SEED).sample over the sentence indices, file order); every train sentence whose
  text (words joined by spaces) equals a selected one is removed from training (CoNLL repeats
  short lines such as scores and datelines), so selection sentences are unseen as such.
* moderation (`hate_select`, `offensive_select`): 10% of TweetEval hate train and 10% of
  TweetEval offensive train, drawn with seed SEED; those tweets (and exact duplicates of their
  text elsewhere in the train files) are removed from training.
"""
import os
import random

from conll import sentence_texts

SEED = 20261130
SST2_SELECT_N = 800
TWEET_SELECT_FRAC = 0.10
CONLL_SELECT_N = 1000


def read_sst2(data, split="train"):
    """(texts, labels) of an SST-2 file (`sst2/<split>.tsv`: sentence, tab, 0/1), in file order."""
    texts, labels = [], []
    with open(os.path.join(data, "sst2", f"{split}.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            s, l = line.rstrip("\n").rsplit("\t", 1)
            texts.append(s.strip())
            labels.append(int(l))
    return texts, labels


def _spans(words):
    return {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}


def sst2_selection(data):
    """(selected item indices, kept-for-training item indices) into SST-2 train."""
    texts, _ = read_sst2(data)
    big = "\n".join(" " + t + " " for t in texts)
    order = list(range(len(texts)))
    random.Random(SEED).shuffle(order)
    chosen, seen = [], set()
    for i in order:
        t = texts[i]
        if len(t.split()) < 5 or t in seen:
            continue
        if big.count(" " + t + " ") != 1:  # inside another item (or duplicated): a phrase, not a sentence
            continue
        chosen.append(i)
        seen.add(t)
        if len(chosen) == SST2_SELECT_N:
            break
    held = set()
    for i in chosen:
        held |= _spans(texts[i].split())
    keep = [i for i in range(len(texts)) if texts[i] not in held]
    return sorted(chosen), keep


def _read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def tweeteval_selection(data, task):
    """(selected indices, kept-for-training indices) into TweetEval <task> train."""
    texts = _read_lines(os.path.join(data, "tweeteval", task, "train_text.txt"))
    labels = [x for x in _read_lines(os.path.join(data, "tweeteval", task, "train_labels.txt")) if x.strip()]
    texts = texts[:len(labels)]
    order = list(range(len(texts)))
    random.Random(SEED + (1 if task == "hate" else 2)).shuffle(order)
    chosen = sorted(order[:int(round(TWEET_SELECT_FRAC * len(texts)))])
    held = {texts[i] for i in chosen}
    keep = [i for i in range(len(texts)) if texts[i] not in held]
    return chosen, keep


def conll_selection(data):
    """(selected sentence indices, kept-for-training sentence indices) into CoNLL-2003 train."""
    texts = sentence_texts(data)
    chosen = sorted(random.Random(SEED).sample(range(len(texts)), CONLL_SELECT_N))
    held = {texts[i] for i in chosen}
    keep = [i for i in range(len(texts)) if texts[i] not in held]
    return chosen, keep


def selection_texts(data, name):
    """(texts, labels) of a selection split: sst2_select, hate_select or offensive_select."""
    if name == "sst2_select":
        texts, labels = read_sst2(data)
        idx, _ = sst2_selection(data)
    else:
        task = name.split("_")[0]
        texts = _read_lines(os.path.join(data, "tweeteval", task, "train_text.txt"))
        labels = [int(x) for x in _read_lines(os.path.join(data, "tweeteval", task, "train_labels.txt")) if x.strip()]
        idx, _ = tweeteval_selection(data, task)
    return [texts[i] for i in idx], [labels[i] for i in idx]


if __name__ == "__main__":
    import sys
    import time
    here = os.path.dirname(os.path.abspath(__file__))
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(here, "..", "..", "shared", "datasets"))
    t0 = time.time()
    sel, keep = sst2_selection(data)
    texts, labels = read_sst2(data)
    print("sst2: %d selection sentences (mean %.1f words, %.1f%% positive); training keeps %d of %d items (%.1fs)" % (
        len(sel), sum(len(texts[i].split()) for i in sel) / len(sel), 100 * sum(labels[i] for i in sel) / len(sel),
        len(keep), len(texts), time.time() - t0))
    for task in ("hate", "offensive"):
        s, k = tweeteval_selection(data, task)
        print("%s: %d selection tweets; training keeps %d" % (task, len(s), len(k)))
    s, k = conll_selection(data)
    print("conll: %d selection sentences; training keeps %d of %d" % (len(s), len(k), len(sentence_texts(data))))
