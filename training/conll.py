"""CoNLL-2003 reader (standard library only, so splits.py and eval_ner_shards.py can use it).

`read_conll(data, split)` reads `<data>/conll2003/<split>.txt`: `token TAG` lines, a blank line
between sentences -> [(words, tags)]. `sentence_texts` gives the texts as the product sees them:
the words joined by single spaces.
"""
import os


def read_conll(data, split="train"):
    sents, words, tags = [], [], []
    with open(os.path.join(data, "conll2003", f"{split}.txt"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                if words:
                    sents.append((words, tags))
                words, tags = [], []
                continue
            parts = line.split(" ")
            if len(parts) != 2 or not parts[0]:
                raise ValueError(f"{split}.txt line {n}: expected `token TAG`, got {line!r}")
            words.append(parts[0])
            tags.append(parts[1])
    if words:
        sents.append((words, tags))
    return sents


def sentence_texts(data, split="train"):
    """The sentences' texts (words joined by single spaces), file order."""
    return [" ".join(words) for words, _ in read_conll(data, split)]
