/**
 * @module model/quantize
 * Symmetric int8 quantization with one scale per row of a row-major matrix:
 * scale = max|row| / 127, q = round(w / scale) clamped to [-127, 127] (zero point 0).
 * Used per output channel for Linear weights and per vocabulary row for embedding tables, by the
 * converter when it writes shards and by our engine when it loads fp32 shards (same rounding).
 */

export interface QuantizedRows {
  /** int8 values, same layout as the input. */
  values: Int8Array;
  /** One scale per row (fp32). */
  scales: Float32Array;
}

/** Quantizes a `rows × cols` row-major matrix with one symmetric scale per row. */
export function quantizeRows(data: Float32Array, rows: number, cols: number): QuantizedRows {
  if (data.length !== rows * cols) throw new Error(`quantizeRows: ${data.length} values for ${rows}x${cols}`);
  const values = new Int8Array(data.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = 0;
    for (let c = 0; c < cols; c++) {
      const a = Math.abs(data[base + c] as number);
      if (a > max) max = a;
    }
    // An all-zero row (e.g. the padding embedding) gets scale 1: it dequantizes to exact zeros.
    const scale = max > 0 ? Math.fround(max / 127) : 1;
    scales[r] = scale;
    for (let c = 0; c < cols; c++) {
      const q = Math.round((data[base + c] as number) / scale);
      values[base + c] = q > 127 ? 127 : q < -127 ? -127 : q;
    }
  }
  return { values, scales };
}

/** Transposes a row-major `rows × cols` matrix (generic over typed-array kind). */
export function transpose<T extends Float32Array | Int8Array>(data: T, rows: number, cols: number): T {
  const out = new (data.constructor as { new (n: number): T })(data.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number;
  }
  return out;
}
