/**
 * @module model/early-exit
 * PABEE's stopping rule (Zhou et al. 2020, "BERT Loses Patience"), shared by both engines: after
 * each layer the classifier reads the hidden state; a sequence stops once its prediction has been
 * the same for `patience` consecutive layers (so at the earliest after patience + 1 layers). The
 * prediction is the argmax for single-label models and the set of labels over 0.5 (logit > 0)
 * for multi-label ones.
 */
import type { Task } from "./manifest.ts";

export class ExitTracker {
  readonly #patience: number;
  readonly #multiLabel: boolean;
  #last = "";
  #same = 0;

  constructor(patience: number, task: Task) {
    this.#patience = patience;
    this.#multiLabel = task === "multi_label_classification";
  }

  /** Feeds one layer's logits; true when the sequence may stop here. */
  update(logits: ArrayLike<number>): boolean {
    const key = this.#multiLabel ? multiLabelKey(logits) : String(argmax(logits));
    this.#same = key === this.#last ? this.#same + 1 : 0;
    this.#last = key;
    return this.#same >= this.#patience;
  }
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

function multiLabelKey(v: ArrayLike<number>): string {
  let key = "";
  for (let i = 0; i < v.length; i++) key += v[i]! > 0 ? "1" : "0";
  return key;
}
