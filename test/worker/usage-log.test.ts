/**
 * Usage in workerd on the real models: `x-usage-tokens` on every `/v1/*` answer (the model's own
 * token counts), and one JSON log line per request (captured from `console.log`) with request id,
 * key id, route pattern, model, tokens, cache outcome, status and latency, for a miss, a hit and
 * errors, carrying nothing of the text and never the key.
 */
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import type { Bindings } from "../../src/env.ts";
import type { RequestLogLine } from "../../src/middleware/usage.ts";

const app = createApp();
const json = { "content-type": "application/json" };
const key = `ae_usage_${crypto.randomUUID()}`;

async function hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const bindings: Bindings = { ...env, API_KEYS: JSON.stringify({ "acme-prod": await hex(key) }) };
const auth = { authorization: `Bearer ${key}` };

let printed: string[] = [];
beforeEach(() => {
  printed = [];
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      printed.push(args.map((a) => (typeof a === "string" ? a : String(a))).join(" "));
    });
  }
});
afterEach(() => vi.restoreAllMocks());

/** The request log lines printed so far (each must be one JSON object). */
function logLines(): RequestLogLine[] {
  return printed.filter((line) => line.includes('"message":"request"')).map((line) => JSON.parse(line) as RequestLogLine);
}

/** Sends one request and returns its answer and its single log line. */
async function call(path: string, init: RequestInit, bindings_: Bindings = bindings): Promise<{ response: Response; body: any; line: RequestLogLine }> {
  const before = logLines().length;
  const response = await app.request(path, init, bindings_);
  const body = response.headers.get("content-type")?.startsWith("application/json") ? await response.json() : await response.text();
  const lines = logLines().slice(before);
  expect(lines).toHaveLength(1);
  return { response, body, line: lines[0]! };
}

const post = (body: unknown, headers: Record<string, string> = auth): RequestInit => ({ method: "POST", headers: { ...json, ...headers }, body: JSON.stringify(body) });

const FIELDS = ["cache", "error", "inputs", "key_id", "latency_ms", "message", "method", "model", "request_id", "route", "status", "tokens"];

describe("usage and the request log", () => {
  it("logs a miss and then a hit with the model's token count, and sends it as x-usage-tokens", async () => {
    const text = `usage log test ${crypto.randomUUID().slice(0, 8)} : a wonderful , moving film`;
    const miss = await call("/v1/classify", post({ input: text }));
    expect(miss.response.status).toBe(200);
    const tokens = miss.body.results[0].tokens as number;
    expect(tokens).toBeGreaterThan(5);
    expect(miss.response.headers.get("x-usage-tokens")).toBe(String(tokens));
    expect(Object.keys(miss.line).sort()).toEqual(FIELDS);
    expect(miss.line).toEqual({
      message: "request",
      request_id: miss.response.headers.get("x-request-id"),
      key_id: "acme-prod",
      method: "POST",
      route: "/v1/classify",
      status: 200,
      error: null,
      model: miss.response.headers.get("x-model"),
      inputs: 1,
      tokens,
      cache: "miss",
      latency_ms: expect.any(Number),
    });
    expect(miss.line.model).toMatch(/^sentiment@/);
    expect(miss.line.latency_ms).toBeGreaterThanOrEqual(0);

    const hit = await call("/v1/classify", post({ input: text }, { ...auth, "x-request-id": "req-hit-1" }));
    expect(hit.response.headers.get("x-usage-tokens")).toBe(String(tokens));
    expect(hit.line).toMatchObject({ request_id: "req-hit-1", key_id: "acme-prod", route: "/v1/classify", status: 200, error: null, tokens, cache: "hit-memory", model: miss.line.model });

    for (const line of printed) {
      expect(line).not.toContain("wonderful");
      expect(line).not.toContain(text.slice(0, 24));
      expect(line).not.toContain(key);
    }
  });

  it("logs errors with their code, no model and no tokens", async () => {
    const unknownModel = await call("/v1/classify", post({ input: "some text", model: "nope" }));
    expect(unknownModel.response.status).toBe(404);
    expect(unknownModel.response.headers.get("x-usage-tokens")).toBe("0");
    expect(unknownModel.line).toMatchObject({ key_id: "acme-prod", route: "/v1/classify", status: 404, error: "model_not_found", model: null, inputs: 0, tokens: 0, cache: null });

    const badJson = await call("/v1/classify", { method: "POST", headers: { ...json, ...auth }, body: "{" });
    expect(badJson.line).toMatchObject({ status: 400, error: "invalid_json", key_id: "acme-prod", tokens: 0 });

    const refused = await call("/v1/classify", post({ input: "x" }, { authorization: `Bearer ${key}x` }));
    expect(refused.response.headers.get("x-usage-tokens")).toBe("0");
    expect(refused.line).toMatchObject({ status: 401, error: "unauthorized", key_id: null, route: "/v1/classify", model: null });

    const unknownRoute = await call("/v1/nothing-here", { headers: auth });
    expect(unknownRoute.line).toMatchObject({ status: 404, route: null, model: null });

    const limited = { ...bindings, RATE_LIMITER: { limit: async () => ({ success: false }) } as RateLimit };
    const tooMany = await call("/v1/classify", post({ input: "x" }), limited);
    expect(tooMany.line).toMatchObject({ status: 429, error: "rate_limit_exceeded", key_id: "acme-prod", tokens: 0 });
    for (const line of printed) expect(line).not.toContain(key);
  });

  it("counts tokens on every /v1 route: batches, tokenize, moderations, webhooks, models", async () => {
    const batch = await call("/v1/classify", post({ input: ["first of three", "second of three", `third ${crypto.randomUUID()}`] }));
    const sum = (batch.body.results as { tokens: number }[]).reduce((s, r) => s + r.tokens, 0);
    expect(batch.line).toMatchObject({ inputs: 3, tokens: sum, cache: "miss" });
    expect(batch.response.headers.get("x-usage-tokens")).toBe(String(sum));

    const tokenized = await call("/v1/tokenize", post({ input: ["hello , world !", "a b"] }));
    const ids = (tokenized.body.tokens as { ids: number[] }[]).reduce((s, t) => s + t.ids.length, 0);
    expect(tokenized.response.headers.get("x-usage-tokens")).toBe(String(ids));
    expect(tokenized.line).toMatchObject({ route: "/v1/tokenize", inputs: 2, tokens: ids, cache: null, model: expect.stringMatching(/^sentiment@/) });

    const moderated = await call("/v1/moderations", post({ input: "have a lovely day" }));
    expect(Number(moderated.response.headers.get("x-usage-tokens"))).toBeGreaterThan(2);
    expect(moderated.line).toMatchObject({ route: "/v1/moderations", model: expect.stringMatching(/^moderation@/), inputs: 1 });
    expect(moderated.line.tokens).toBe(Number(moderated.response.headers.get("x-usage-tokens")));

    const hooked = { ...bindings, WEBHOOKS: { open: { signature: "none", fields: ["/text"] } } } as Bindings;
    const webhook = await call("/v1/webhooks/open", post({ text: "have a lovely day" }, {}), hooked);
    expect(webhook.response.status).toBe(200);
    expect(webhook.response.headers.get("x-usage-tokens")).toBe(String(moderated.line.tokens));
    expect(webhook.line).toMatchObject({ route: "/v1/webhooks/:hook", key_id: null, cache: "hit-memory", tokens: moderated.line.tokens });

    const listed = await call("/v1/models", { headers: auth });
    expect(listed.response.headers.get("x-usage-tokens")).toBe("0");
    expect(listed.line).toMatchObject({ route: "/v1/models", status: 200, tokens: 0, model: null });

    const health = await call("/healthz", {});
    expect(health.response.headers.get("x-usage-tokens")).toBeNull();
    expect(health.line).toMatchObject({ route: "/healthz", status: 200, key_id: null });
  });
});
