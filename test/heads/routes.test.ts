/**
 * Every ALBERT head through the real Worker in workerd, on the ../shared fixtures converted to int8
 * shards (test/heads/global-setup.ts): `/v1/entities`, `/v1/qa`, `/v1/embeddings` (through the
 * official `openai` SDK too) and sentence pairs on `/v1/classify` give what the same model-level
 * code gives in Node; offsets point into the caller's text; long contexts are windowed; the cache
 * covers every route; models of the wrong kind and bad parameters get 400 with our codes; a model
 * with early exit stops where the engine does in Node unless `full_depth` or `EARLY_EXIT=off`.
 */
import { env, SELF } from "cloudflare:test";
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import { createApp } from "../../src/app.ts";
import type { Entity } from "../../src/heads/index.ts";

const cases = inject("headCases");
const run = cases === null ? describe.skip : describe;

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  SELF.fetch(`http://worker${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

async function json<T>(response: Response, status = 200): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return JSON.parse(text) as T;
}

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-5);

run("POST /v1/entities", () => {
  it("gives the entities the model-level code gives in Node, with offsets into the caller's text", async () => {
    const { ner, entities } = cases!;
    const answer = await json<{ model: string; results: { entities: Entity[]; tokens: number; truncated: boolean; cache: string }[] }>(await post("/v1/entities", { input: ner }));
    expect(answer.model).toBe("ner-mini");
    expect(answer.results).toHaveLength(ner.length);
    let count = 0;
    answer.results.forEach((result, i) => {
      const expected = entities[i]!;
      expect(result.entities.map(({ label, start, end, text }) => ({ label, start, end, text }))).toEqual(expected.map(({ label, start, end, text }) => ({ label, start, end, text })));
      result.entities.forEach((e, k) => {
        close(e.score, expected[k]!.score);
        expect(e.text).toBe(ner[i]!.slice(e.start, e.end));
        expect(e.label).not.toMatch(/^[BI]-/);
        count++;
      });
    });
    expect(count).toBeGreaterThan(0);
  });

  it("decoding bio: what the model-level code gives in Node, and not served from argmax's cache entry", async () => {
    const { ner, entitiesBio } = cases!;
    const body = { input: ner, aggregation: "first" };
    await (await post("/v1/entities", { ...body, decoding: "argmax" })).arrayBuffer();
    const response = await post("/v1/entities", { ...body, decoding: "bio" });
    expect(response.headers.get("x-cache")).toBe("miss");
    const answer = await json<{ results: { entities: Entity[] }[] }>(response);
    answer.results.forEach((result, i) => {
      expect(result.entities.map(({ label, start, end }) => ({ label, start, end }))).toEqual(entitiesBio[i]!.map(({ label, start, end }) => ({ label, start, end })));
      result.entities.forEach((e, k) => close(e.score, entitiesBio[i]![k]!.score));
    });
  });

  it("keeps whitespace exact in offsets (no cache sharing between spacings) and gives per-token rows with aggregation none", async () => {
    const text = cases!.ner[0]!;
    const spaced = `   ${text.replaceAll(" ", "  ")}`;
    const a = await json<{ results: { entities: Entity[] }[] }>(await post("/v1/entities", { input: spaced, aggregation: "none" }));
    for (const e of a.results[0]!.entities) {
      expect(e.text).toBe(spaced.slice(e.start, e.end));
      expect(e.label).toMatch(/^[BI]-(PER|ORG|LOC|MISC)$/);
    }
    const b = await json<{ results: { entities: Entity[] }[] }>(await post("/v1/entities", { input: text, aggregation: "none" }));
    expect(b.results[0]!.entities.length).toBeGreaterThan(0);
    expect(a.results[0]!.entities.map((e) => e.text)).toEqual(b.results[0]!.entities.map((e) => e.text));
    expect(a.results[0]!.entities[0]!.start).not.toBe(b.results[0]!.entities[0]!.start);
  });

  it("answers repeats from the cache", async () => {
    const body = { input: cases!.ner[1]!, aggregation: "first" };
    const first = await post("/v1/entities", body);
    await first.arrayBuffer();
    const again = await post("/v1/entities", body);
    expect(again.headers.get("x-cache")).toBe("hit-memory");
  });

  it("refuses a model of the wrong kind and a bad aggregation with 400", async () => {
    const wrong = await json<{ error: { code: string; message: string } }>(await post("/v1/entities", { model: "sst2-mini", input: "hi" }), 400);
    expect(wrong.error.code).toBe("unsupported_model");
    expect(wrong.error.message).toMatch(/token_classification/);
    const bad = await json<{ error: { code: string; message: string } }>(await post("/v1/entities", { input: "hi", aggregation: "average" }), 400);
    expect(bad.error.code).toBe("invalid_request");
    expect(bad.error.message).toMatch(/aggregation/);
    const badDecoding = await json<{ error: { code: string; message: string } }>(await post("/v1/entities", { input: "hi", decoding: "crf" }), 400);
    expect(badDecoding.error.code).toBe("invalid_request");
    expect(badDecoding.error.message).toMatch(/decoding/);
  });
});

run("POST /v1/qa", () => {
  it("answers as the model-level code does in Node, with the answer's span in the context", async () => {
    const { qa, answers } = cases!;
    const answer = await json<{ model: string; results: { answer: string; score: number; start: number; end: number; windows: number }[] }>(await post("/v1/qa", { input: qa }));
    expect(answer.model).toBe("qa-mini");
    answer.results.forEach((r, i) => {
      expect({ answer: r.answer, start: r.start, end: r.end }).toEqual({ answer: answers[i]!.answer, start: answers[i]!.start, end: answers[i]!.end });
      close(r.score, answers[i]!.score);
      expect(r.answer).toBe(qa[i]!.context.slice(r.start, r.end));
    });
    const single = await json<{ results: { answer: string }[] }>(await post("/v1/qa", qa[0]!));
    expect(single.results[0]!.answer).toBe(answers[0]!.answer);
  });

  it("cuts a context longer than the window into several windows and gives top_k answers, best first", async () => {
    const { question, context } = cases!.qa[0]!;
    let long = context;
    while (long.length < 5000) long += ` ${context}`;
    const r = (await json<{ results: { answer: string; start: number; end: number; windows: number; answers: { score: number; start: number; end: number; answer: string }[] }[] }>(await post("/v1/qa", { question, context: long, top_k: 3 }))).results[0]!;
    expect(r.windows).toBeGreaterThan(1);
    expect(r.answers).toHaveLength(3);
    expect(r.answers[0]!.answer).toBe(r.answer);
    for (let k = 1; k < 3; k++) expect(r.answers[k]!.score).toBeLessThanOrEqual(r.answers[k - 1]!.score);
    for (const a of r.answers) expect(a.answer).toBe(long.slice(a.start, a.end));
  });

  it("refuses a wrong model, a missing context and a bad top_k with 400", async () => {
    const wrong = await json<{ error: { code: string } }>(await post("/v1/qa", { model: "ner-mini", question: "who?", context: "Ann." }), 400);
    expect(wrong.error.code).toBe("unsupported_model");
    const missing = await json<{ error: { code: string; message: string } }>(await post("/v1/qa", { question: "who?" }), 400);
    expect(missing.error.code).toBe("invalid_request");
    expect(missing.error.message).toMatch(/context/);
    const topK = await json<{ error: { code: string; message: string } }>(await post("/v1/qa", { question: "who?", context: "Ann.", top_k: 0 }), 400);
    expect(topK.error.message).toMatch(/top_k/);
  });
});

run("POST /v1/embeddings", () => {
  const client = new OpenAI({ apiKey: "unused", baseURL: "http://worker/v1", maxRetries: 0, fetch: (url, init) => SELF.fetch(url, init) });

  it("gives, through the openai SDK, the vectors the model gives in Node (mean pooling), floats and base64", async () => {
    const { embed, embeddings } = cases!;
    const answer = await client.embeddings.create({ model: "embed-mini", input: embed, encoding_format: "float" });
    expect(answer.object).toBe("list");
    expect(answer.model).toBe("embed-mini");
    expect(answer.usage.prompt_tokens).toBeGreaterThan(embed.length * 2);
    answer.data.forEach((d, i) => {
      expect(d.object).toBe("embedding");
      expect(d.index).toBe(i);
      expect(d.embedding).toHaveLength(embeddings[i]!.length);
      d.embedding.forEach((x, k) => close(x, embeddings[i]![k]!));
    });
    // The SDK asks for base64 by default and decodes it itself.
    const decoded = await client.embeddings.create({ model: "embed-mini", input: embed[0]! });
    decoded.data[0]!.embedding.forEach((x, k) => close(x, embeddings[0]![k]!));
  });

  it("refuses other dimensions and a token-classification model with OpenAI's error object", async () => {
    const dims = await json<{ error: { code: string; type: string; param: string | null } }>(await post("/v1/embeddings", { model: "embed-mini", input: "a", dimensions: 3 }), 400);
    expect(dims.error).toMatchObject({ code: "invalid_request", type: "invalid_request_error", param: "dimensions" });
    const wrong = await json<{ error: { code: string; type: string } }>(await post("/v1/embeddings", { model: "ner-mini", input: "a" }), 400);
    expect(wrong.error).toMatchObject({ code: "unsupported_model", type: "invalid_request_error" });
  });
});

run("POST /v1/classify with sentence pairs", () => {
  it("classifies {text, text_pair} items as the pair model does in Node", async () => {
    const { pairs, pairLabels } = cases!;
    const answer = await json<{ results: { label: string }[] }>(await post("/v1/classify", { model: "sst2-mini", input: pairs }));
    expect(answer.results.map((r) => r.label)).toEqual(pairLabels);
    const single = await json<{ results: { label: string }[] }>(await post("/v1/classify", { model: "sst2-mini", input: pairs[0]! }));
    expect(single.results[0]!.label).toBe(pairLabels[0]);
  });
});

run("early exit in the Worker (sst2-exit: albert-sst2-mini converted with patience 1)", () => {
  type Result = { label: string; layers: number };
  const classify = async (body: Record<string, unknown>, bindings?: Record<string, unknown>): Promise<Result[]> => {
    const init = { method: "POST", headers: { "content-type": "application/json", "cache-control": "no-store" }, body: JSON.stringify({ model: "sst2-exit", ...body }) };
    const response = bindings === undefined ? await SELF.fetch("http://worker/v1/classify", init) : await createApp().request("/v1/classify", init, { ...env, ...bindings });
    return (await json<{ results: Result[] }>(response)).results;
  };

  it("stops each text where our engine stops it in Node; full_depth and EARLY_EXIT=off run every layer", async () => {
    const { exitTexts, exitLayers, fullLabels } = cases!;
    const early = await classify({ input: exitTexts });
    expect(early.map((r) => r.layers)).toEqual(exitLayers);
    expect(exitLayers.some((l) => l < 6)).toBe(true);
    for (const results of [await classify({ input: exitTexts, full_depth: true }), await classify({ input: exitTexts }, { EARLY_EXIT: "off" })]) {
      expect(results.map((r) => r.layers)).toEqual(exitTexts.map(() => 6));
      expect(results.map((r) => r.label)).toEqual(fullLabels);
    }
  });

  it("lists the model's patience in /v1/models", async () => {
    const list = await json<{ data: { id: string; early_exit?: { patience: number } }[] }>(await SELF.fetch("http://worker/v1/models"));
    expect(list.data.find((m) => m.id === "sst2-exit")?.early_exit).toEqual({ patience: 1 });
    expect(list.data.find((m) => m.id === "sst2-mini")).not.toHaveProperty("early_exit");
  });
});
