/**
 * @module model/postprocess
 * Logits → probabilities: softmax (single-label) or independent sigmoids (multi-label),
 * and the argmax label.
 */
import type { Task } from "./manifest.ts";

export function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

/** Probabilities per class for a task (sigmoid per class for multi-label, else softmax). */
export function probabilities(task: Task, logits: readonly number[]): number[] {
  return task === "multi_label_classification" ? logits.map(sigmoid) : softmax(logits);
}
