/**
 * @module cli/label-thresholds
 * The command-line form of a multi-label model's per-label thresholds: `hate=0.45,offensive=0.4`
 * (`convert --thresholds`, `albert-edge thresholds`). Whether the labels exist is the manifest's
 * check; this only reads the text.
 */

/** `label=number` entries, comma-separated, each number in [0, 1]; throws RangeError otherwise. */
export function parseLabelThresholds(text: string): Record<string, number> {
  const out = new Map<string, number>();
  for (const entry of text.split(",").map((e) => e.trim())) {
    const eq = entry.indexOf("=");
    const label = entry.slice(0, eq).trim();
    const raw = entry.slice(eq + 1).trim();
    const value = Number(raw);
    if (eq <= 0 || label === "" || raw === "" || !(value >= 0 && value <= 1)) {
      throw new RangeError(`thresholds: ${JSON.stringify(entry)} is not label=number with 0 <= number <= 1`);
    }
    if (out.has(label)) throw new RangeError(`thresholds: ${label} is given twice`);
    out.set(label, value);
  }
  return Object.fromEntries(out);
}
