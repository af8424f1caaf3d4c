/**
 * @module test/unit/model/reference
 * Validates the test-only reference forward pass itself: erf against known values, and the
 * reference on the real albert-sst2-mini checkpoint against the shared golden logits (made by
 * a separate HF-semantics implementation), so generality tests compare against a trusted model.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AlbertShape } from "../../support/checkpoint-generator.ts";
import { maxAbsDiff } from "../../support/model-helpers.ts";
import { sharedAvailable, sst2MiniDir, sst2MiniGolden } from "../../support/paths.ts";
import { readSafetensors } from "../../support/read-safetensors.ts";
import { erf, referenceForward } from "../../support/reference-albert.ts";

describe("reference ALBERT (test support)", () => {
  it("erf matches known values", () => {
    const known: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [-1.5, -0.9661051464753108],
      [2.5, 0.999593047982555],
      [4, 0.9999999845827421],
    ];
    for (const [x, y] of known) expect(Math.abs(erf(x) - y)).toBeLessThan(1e-13);
  });

  it.skipIf(!sharedAvailable())("reproduces the albert-sst2-mini golden logits", () => {
    const config = JSON.parse(readFileSync(join(sst2MiniDir, "config.json"), "utf8")) as AlbertShape;
    const weights = readSafetensors(join(sst2MiniDir, "model.safetensors"));
    const rows = readFileSync(sst2MiniGolden, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { ids: number[]; logits: number[] });
    let maxDelta = 0;
    for (const r of rows.filter((r) => r.ids.length <= 40).slice(0, 10)) {
      maxDelta = Math.max(maxDelta, maxAbsDiff(referenceForward(weights, config, r.ids).logits ?? [], r.logits));
    }
    console.log(`[reference] albert-sst2-mini, 10 golden rows: max |Δlogit| = ${maxDelta.toExponential(3)}`);
    expect(maxDelta).toBeLessThan(1e-4);
  });
});
