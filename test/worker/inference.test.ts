/**
 * The real Worker on the real shards and the real onnxruntime-web in workerd: golden texts agree
 * with the `albert-edge classify` CLI, truncation is reported, concurrent
 * cold requests share one load, and a corrupted shard answers 503 then recovers.
 * (All inference tests live in this one file: each file pays ORT's wasm start-up once.)
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { createApp } from "../../src/app.ts";
import type { TextResult as ClassifyResult } from "../../src/services/classify.ts";

const postJson = (path: string, body: unknown, init: RequestInit = {}) =>
  SELF.fetch(`http://worker${path}`, {
    ...init,
    method: "POST",
    headers: { "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) },
    body: JSON.stringify(body),
  });

/** An ASSETS binding that counts reads per path and can corrupt chosen files. */
function instrumentedAssets(corrupt: Set<string> = new Set()) {
  const reads = new Map<string, number>();
  const fetcher = {
    async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
      const request = new Request(input as RequestInfo, init);
      const path = new URL(request.url).pathname.slice(1);
      reads.set(path, (reads.get(path) ?? 0) + 1);
      const response = await env.ASSETS.fetch(request);
      if (!corrupt.has(path) || !response.ok) return response;
      const bytes = new Uint8Array(await response.arrayBuffer());
      bytes[bytes.length >> 1]! ^= 0xff;
      return new Response(bytes, { status: 200, headers: response.headers });
    },
    connect(): never {
      throw new Error("not supported");
    },
  };
  return { assets: fetcher as unknown as Fetcher, reads, corrupt };
}

async function manifest(): Promise<{ version: string; shards: { file: string; role: string }[]; tokenizer: { max_length: number }; config: { num_hidden_layers: number }; early_exit?: { patience: number } }> {
  return (await (await env.ASSETS.fetch(new Request("http://assets/sentiment/manifest.json"))).json()) as never;
}

describe("POST /v1/classify on the default model", () => {
  // The golden texts come from ../shared (global-setup.ts); without it this one skips.
  it.skipIf(inject("classifyCases").length === 0)("agrees with `albert-edge classify` on golden texts (batched)", async () => {
    const cases = inject("classifyCases");
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (let start = 0; start < cases.length; start += 10) {
      const batch = cases.slice(start, start + 10);
      const response = await postJson("/v1/classify", { input: batch.map((c) => c.text) });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { model: string; results: ClassifyResult[] };
      expect(body.model).toBe("sentiment");
      expect(body.results).toHaveLength(batch.length);
      body.results.forEach((result, i) => {
        const expected = batch[i]!;
        expect(result.label).toBe(expected.label);
        expect(result.score).toBeCloseTo(expected.score, 5);
        expect(Object.keys(result.scores).sort()).toEqual(["negative", "positive"]);
        expect(result.scores[result.label]).toBe(result.score);
        expect(result.scores["negative"]! + result.scores["positive"]!).toBeCloseTo(1, 6);
        expect(result.tokens).toBeGreaterThan(2);
      });
    }
  });

  it("answers a single string with one result and the documented headers", async () => {
    const response = await postJson("/v1/classify", { input: "a gorgeous , witty , seductive movie ." });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { results: ClassifyResult[] };
    expect(body.results).toHaveLength(1);
    expect(body.results[0]!.truncated).toBe(false);
    const { version, config, early_exit } = await manifest();
    // With the manifest's early exit, patience + 1 layers at least (the prediction must hold for
    // `patience` passes after the first); without it, every layer.
    const least = Math.min(config.num_hidden_layers, early_exit === undefined ? Infinity : early_exit.patience + 1);
    expect(body.results[0]!.layers).toBeGreaterThanOrEqual(least);
    expect(body.results[0]!.layers).toBeLessThanOrEqual(config.num_hidden_layers);
    expect(response.headers.get("x-model")).toBe(`sentiment@${version}`);
    expect(response.headers.get("x-request-id")).toBeTruthy();
    const timing = response.headers.get("server-timing") ?? "";
    for (const metric of ["tokenize", "model", "total"]) expect(timing).toMatch(new RegExp(`(^|,\\s*)${metric};`));
  });

  it("takes full_depth as a boolean only (400 otherwise); it runs every layer, where the manifest's early exit may stop sooner", async () => {
    // Early exit on a fixture model converted with it: test/heads/routes.test.ts (sst2-exit).
    const { config, early_exit } = await manifest();
    const input = ["a fine film .", "a gorgeous , witty , seductive movie .", "a dull , tedious mess ."];
    const plain = (await (await postJson("/v1/classify", { input })).json()) as { results: ClassifyResult[] };
    const full = (await (await postJson("/v1/classify", { input, full_depth: true })).json()) as { results: ClassifyResult[] };
    expect(full.results.map((r) => r.layers)).toEqual(input.map(() => config.num_hidden_layers));
    const least = early_exit === undefined ? config.num_hidden_layers : Math.min(config.num_hidden_layers, early_exit.patience + 1);
    for (const r of plain.results) expect(r.layers).toBeGreaterThanOrEqual(least);
    if (early_exit === undefined) expect(plain.results.map((r) => r.layers)).toEqual(full.results.map((r) => r.layers));
    // The shipped sentiment model exits early (RESULTS.md rule 15): on clear-cut texts it stops before the last layer.
    else expect(plain.results.some((r) => r.layers < config.num_hidden_layers)).toBe(true);
    // The answer stays that of the layer it stopped at; on these clear-cut texts it is the full-depth label.
    expect(plain.results.map((r) => r.label)).toEqual(full.results.map((r) => r.label));
    const bad = await postJson("/v1/classify", { input: "a fine film .", full_depth: "yes" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "invalid_request", message: expect.stringContaining("full_depth") });
  });

  it("truncates text over the max length and says so", async () => {
    const { tokenizer } = await manifest();
    const long = "this movie is wonderful and ".repeat(400);
    const body = (await (await postJson("/v1/classify", { input: [long, "fine ."] })).json()) as { results: ClassifyResult[] };
    expect(body.results[0]!.truncated).toBe(true);
    expect(body.results[0]!.tokens).toBe(tokenizer.max_length);
    expect(body.results[1]!.truncated).toBe(false);
  });

  it("lists the model as loaded once it has served a request", async () => {
    await postJson("/v1/classify", { input: "ok" });
    const body = (await (await SELF.fetch("http://worker/v1/models")).json()) as { data: { id: string; loaded: boolean; labels: string[]; thresholds?: Record<string, number>; early_exit?: unknown }[] };
    expect(body.data.find((m) => m.id === "sentiment")).toMatchObject({ loaded: true, labels: ["negative", "positive"] });
    // The manifest's own settings travel with the entry: moderation's thresholds; none where the manifest has none.
    const moderationManifest = (await (await env.ASSETS.fetch(new Request("http://assets/moderation/manifest.json"))).json()) as { thresholds?: Record<string, number> };
    expect(moderationManifest.thresholds).toBeDefined();
    expect(body.data.find((m) => m.id === "moderation")?.thresholds).toEqual(moderationManifest.thresholds);
    expect(body.data.find((m) => m.id === "sentiment")).not.toHaveProperty("thresholds");
    expect(body.data.find((m) => m.id === "sentiment")?.early_exit).toEqual((await manifest()).early_exit);
    expect(body.data.find((m) => m.id === "moderation")).not.toHaveProperty("early_exit");
  });
});

describe("model loading", () => {
  it("serves 16 simultaneous requests to a cold registry with one load", async () => {
    const app = createApp();
    const { assets, reads } = instrumentedAssets();
    const bindings = { ...env, ASSETS: assets };
    const texts = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? `a wonderful , moving film number ${i} .` : `a dull , tedious mess number ${i} .`));
    const responses = await Promise.all(
      texts.map((text) => app.request("/v1/classify", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input: text }) }, bindings)),
    );
    const reference = (await (await postJson("/v1/classify", { input: texts })).json()) as { results: ClassifyResult[] };
    for (const [i, response] of responses.entries()) {
      expect(response.status).toBe(200);
      const body = (await response.json()) as { results: ClassifyResult[] };
      expect(body.results[0]!.label).toBe(reference.results[i]!.label);
      expect(body.results[0]!.score).toBeCloseTo(reference.results[i]!.score, 6);
    }
    const { shards } = await manifest();
    for (const shard of shards) expect(reads.get(`sentiment/${shard.file}`), shard.file).toBe(1);
  });

  it("answers 503 naming a corrupted shard, then recovers once it is fixed", async () => {
    const app = createApp();
    const { shards } = await manifest();
    const block = shards.find((s) => s.role === "block")!;
    const { assets, corrupt } = instrumentedAssets(new Set([`sentiment/${block.file}`]));
    const bindings = { ...env, ASSETS: assets };
    const request = () =>
      app.request("/v1/classify", { method: "POST", headers: { "content-type": "application/json" }, body: '{"input": "good"}' }, bindings);

    const failed = await request();
    expect(failed.status).toBe(503);
    const error = (await failed.json()) as { error: { code: string; message: string } };
    expect(error.error.code).toBe("model_unavailable");
    expect(error.error.message).toContain(block.file);
    expect((await request()).status).toBe(503);

    corrupt.clear();
    const recovered = await request();
    expect(recovered.status).toBe(200);
    expect(((await recovered.json()) as { results: ClassifyResult[] }).results).toHaveLength(1);
  });
});
