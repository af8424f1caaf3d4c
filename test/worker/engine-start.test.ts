/**
 * Engine start-up is lazy: listing models and tokenizing read manifests and the tokenizer shard
 * only, and never instantiate the engine; the first classification does, once per model.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { kernelInstances } from "../../src/engine/index.ts";

const json = { "content-type": "application/json" };

describe("engine start-up", () => {
  it("GET /v1/models and POST /v1/tokenize never start an engine; /v1/classify starts one per model", async () => {
    const app = createApp();
    const before = kernelInstances();
    expect((await app.request("/v1/models", {}, env)).status).toBe(200);
    expect((await app.request("/v1/tokenize", { method: "POST", headers: json, body: JSON.stringify({ input: "hello world" }) }, env)).status).toBe(200);
    expect((await app.request("/v1/tokenize", { method: "POST", headers: json, body: JSON.stringify({ model: "moderation", input: "hello" }) }, env)).status).toBe(200);
    expect(kernelInstances()).toBe(before);
    const models = (await (await app.request("/v1/models", {}, env)).json()) as { data: { id: string; loaded: boolean }[] };
    expect(models.data.map((m) => m.loaded)).toEqual([false, false, false]);

    expect((await app.request("/v1/classify", { method: "POST", headers: json, body: JSON.stringify({ input: ["fine", "great"] }) }, env)).status).toBe(200);
    expect((await app.request("/v1/classify", { method: "POST", headers: json, body: JSON.stringify({ input: "again" }) }, env)).status).toBe(200);
    expect(kernelInstances()).toBe(before + 1);
  });
});
