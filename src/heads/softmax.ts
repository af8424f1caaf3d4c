/**
 * @module heads/softmax
 * Row-wise softmax over a row-major logits matrix (the engine's `tokenLogits`, S × columns), and
 * the argmax that Hugging Face pipelines take over each row (first index on ties, like numpy).
 */

/** Softmax of one row, max-shifted (HF: `exp(x - max) / sum`). */
export function softmaxRow(logits: ArrayLike<number>): Float64Array {
  const out = new Float64Array(logits.length);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] as number);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp((logits[i] as number) - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / sum;
  return out;
}

/** Softmax of every row of a row-major `rows × columns` matrix. */
export function softmaxRows(matrix: ArrayLike<number>, rows: number, columns: number): Float64Array[] {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(columns) || columns < 1) {
    throw new RangeError(`softmaxRows: rows must be an integer >= 0 and columns an integer >= 1 (got ${rows} × ${columns})`);
  }
  if (matrix.length !== rows * columns) {
    throw new RangeError(`softmaxRows: expected ${rows} × ${columns} = ${rows * columns} values, got ${matrix.length}`);
  }
  const out: Float64Array[] = [];
  const row = new Float64Array(columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) row[c] = matrix[r * columns + c] as number;
    out.push(softmaxRow(row));
  }
  return out;
}

/** Index of the largest value; the first one on ties (numpy `argmax`). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}
