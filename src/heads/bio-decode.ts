/**
 * @module heads/bio-decode
 * BIO-constrained decoding of token (or word) labels: instead of each unit's own argmax, which can
 * give invalid IOB2 such as "O I-PER" or "B-PER I-ORG" (a token classifier has no CRF), take the
 * label sequence with the highest total log-probability among those where every "I-X" follows a
 * "B-X" or an "I-X". Viterbi over the units, K² per unit for K labels; nothing learned, no
 * parameter. When the argmax sequence is already valid it is the answer.
 *
 * Only an "I-X" whose "B-X" is also a label is constrained: in an IO scheme (no "B-" labels) the
 * "I-" labels stay free, and labels in no BIO form ("O", "PER") are allowed anywhere.
 */

/** Probabilities of 0 (underflow) count as this log-probability, so every path stays comparable. */
const LOG_FLOOR = -1e30;

/** For each label, the labels it may follow (null: any, including the sequence start). */
function predecessors(labels: readonly string[]): (number[] | null)[] {
  return labels.map((label) => {
    if (!label.startsWith("I-")) return null;
    const type = label.slice(2);
    if (!labels.includes(`B-${type}`)) return null;
    const allowed: number[] = [];
    labels.forEach((other, j) => {
      if (other === `B-${type}` || other === label) allowed.push(j);
    });
    return allowed;
  });
}

function logProb(p: number): number {
  return p > 0 ? Math.log(p) : LOG_FLOOR;
}

/**
 * The label index of each unit on the most probable valid IOB2 path. `rows[t]` holds unit t's
 * probabilities over `labels` (same order). Ties go to the lower label index, as argmax does.
 */
export function decodeBio(rows: readonly ArrayLike<number>[], labels: readonly string[]): number[] {
  const k = labels.length;
  if (rows.length === 0) return [];
  const from = predecessors(labels);
  let score = new Float64Array(k);
  for (let c = 0; c < k; c++) score[c] = (from[c] ?? null) === null ? logProb(rows[0]![c] as number) : -Infinity;
  const back: Int32Array[] = [];
  for (let t = 1; t < rows.length; t++) {
    const next = new Float64Array(k);
    const pointer = new Int32Array(k);
    for (let c = 0; c < k; c++) {
      const allowed = from[c] ?? null;
      let best = -1;
      let bestScore = -Infinity;
      for (let p = 0; p < k; p++) {
        if (allowed !== null && !allowed.includes(p)) continue;
        if (best < 0 || (score[p] as number) > bestScore) {
          best = p;
          bestScore = score[p] as number;
        }
      }
      pointer[c] = best;
      next[c] = bestScore + logProb(rows[t]![c] as number);
    }
    back.push(pointer);
    score = next;
  }
  let last = 0;
  for (let c = 1; c < k; c++) if ((score[c] as number) > (score[last] as number)) last = c;
  const path = [last];
  for (let t = back.length - 1; t >= 0; t--) {
    last = back[t]![last] as number;
    path.push(last);
  }
  return path.reverse();
}
