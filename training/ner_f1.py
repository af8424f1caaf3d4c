#!/usr/bin/env python3
"""Entity-level precision / recall / F1 for IOB2 tag sequences with seqeval's default semantics
(conlleval): an entity is an exact (type, start, end) span; it starts at B-X, or at I-X after O or
after a tag of another type (an I- without B- starts an entity); it ends before O, B-, or a tag of
another type. Micro-averaged over all entities, plus per type.

Standard library only (eval_ner_shards.py imports it). `python3 training/ner_f1.py` runs the self-test.
"""


def _split(tag):
    if tag == "O" or not tag:
        return "O", ""
    prefix, _, typ = tag.partition("-")
    return prefix, typ


def entities(tags):
    """Set of (type, start, end_inclusive) spans of one sentence's tags."""
    out, start, cur = [], None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        p, t = _split(tag)
        # end of the open chunk?
        if cur is not None and (p in ("O", "B") or t != cur):
            out.append((cur, start, i - 1))
            cur = None
        # start of a new chunk?
        if p in ("B", "I") and cur is None:
            cur, start = t, i
    return set(out)


def f1_report(gold_sents, pred_sents):
    """gold/pred: lists of tag lists (same lengths). Returns {"overall": {...}, "PER": {...}, ...}
    with precision, recall, f1 and support (number of gold entities)."""
    stats = {}
    for g, p in zip(gold_sents, pred_sents):
        assert len(g) == len(p), (len(g), len(p))
        ge, pe = entities(g), entities(p)
        for typ in {e[0] for e in ge | pe}:
            s = stats.setdefault(typ, [0, 0, 0])  # tp, n_pred, n_gold
            gt = {e for e in ge if e[0] == typ}
            pt = {e for e in pe if e[0] == typ}
            s[0] += len(gt & pt)
            s[1] += len(pt)
            s[2] += len(gt)
    rep = {}
    tot = [0, 0, 0]
    for typ in sorted(stats):
        s = stats[typ]
        rep[typ] = _prf(*s)
        tot = [a + b for a, b in zip(tot, s)]
    rep["overall"] = _prf(*tot)
    return rep


def _prf(tp, n_pred, n_gold):
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": n_gold}


def _self_test():
    assert entities(["B-PER", "I-PER", "O", "B-LOC"]) == {("PER", 0, 1), ("LOC", 3, 3)}
    assert entities(["I-PER", "I-PER", "O"]) == {("PER", 0, 1)}  # I- without B- starts an entity
    assert entities(["B-PER", "I-LOC", "I-LOC"]) == {("PER", 0, 0), ("LOC", 1, 2)}  # type change
    assert entities(["B-ORG", "B-ORG", "I-ORG"]) == {("ORG", 0, 0), ("ORG", 1, 2)}
    assert entities(["O", "I-MISC"]) == {("MISC", 1, 1)}
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    pred = [["B-PER", "O", "O", "B-LOC"], ["B-ORG", "B-MISC"]]
    r = f1_report(gold, pred)
    # gold 3 entities, pred 4, tp 2 (LOC, ORG): P 0.5, R 0.6667, F 0.5714
    assert r["overall"] == {"precision": 0.5, "recall": 0.6667, "f1": 0.5714, "support": 3}, r
    assert r["PER"]["f1"] == 0.0 and r["LOC"]["f1"] == 1.0 and r["MISC"]["support"] == 0
    print("ner_f1 self-test ok")


if __name__ == "__main__":
    _self_test()
