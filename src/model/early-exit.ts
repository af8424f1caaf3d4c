/**
 * @module model/early-exit
 * PABEE's stopping rule (Zhou et al. 2020, "BERT Loses Patience"), shared by both engines: after
 * each layer the classifier reads the hidden state; a sequence stops once its prediction has been
 * the same for `patience` consecutive layers (so at the earliest after patience + 1 layers). The
 * prediction is the argmax for single-label models and, for multi-label ones, the set of labels
 * whose score reaches the label's threshold (the manifest's `thresholds`, else 0.5).
 */
import { labelThreshold, type Manifest } from "./manifest.ts";

/**
 * What the rule compares, fixed per model: undefined for single-label models (argmax); for
 * multi-label ones the logit at which each label's sigmoid reaches its threshold.
 */
export type ExitCutoffs = readonly number[] | undefined;

export function exitCutoffs(manifest: Pick<Manifest, "task" | "labels" | "thresholds">): ExitCutoffs {
  return manifest.task === "multi_label_classification" ? manifest.labels.map((label) => logit(labelThreshold(manifest, label))) : undefined;
}

export class ExitTracker {
  readonly #patience: number;
  readonly #cutoffs: ExitCutoffs;
  #last = "";
  #same = 0;

  /** `cutoffs`: the model's `exitCutoffs(manifest)`, computed once per model. */
  constructor(patience: number, cutoffs: ExitCutoffs) {
    this.#patience = patience;
    this.#cutoffs = cutoffs;
  }

  /** Feeds one layer's logits; true when the sequence may stop here. */
  update(logits: ArrayLike<number>): boolean {
    const key = this.#cutoffs === undefined ? String(argmax(logits)) : multiLabelKey(logits, this.#cutoffs);
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

/** sigmoid⁻¹: sigmoid(z) ≥ t ⇔ z ≥ logit(t) (±Infinity at 0 and 1). */
function logit(t: number): number {
  return Math.log(t / (1 - t));
}

function multiLabelKey(v: ArrayLike<number>, cutoffs: readonly number[]): string {
  let key = "";
  for (let i = 0; i < v.length; i++) key += v[i]! >= cutoffs[i]! ? "1" : "0";
  return key;
}
