/**
 * Seeded fuzz of the whole Worker in workerd (issue 13): a few thousand requests with random
 * methods, paths, content types, bodies (valid and broken JSON, odd shapes, lone surrogates,
 * U+2028, invalid UTF-8, UTF-16, deep nesting, oversize), header values and webhook signatures.
 * Every answer must be the JSON error envelope or a valid result, never a 500, and the Worker must
 * still serve afterwards. Half the requests go through `SELF.fetch` (the Worker as deployed, each
 * request its own request context), half through the app with webhooks configured.
 * Reproduce a failure with its seed and case number (printed in the assertion message).
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import type { Bindings } from "../../src/env.ts";
import { signTimestamped } from "../../src/webhooks/signature.ts";
import { Rng } from "../support/random.ts";

const SEED = 20261130;
const CASES = 2000;
const CONCURRENCY = 8;

const hooks = {
  open: { signature: "none", fields: ["/text", "/items/body"] },
  gh: { signature: "github", secret: "FUZZ_SECRET", fields: ["/issue/title", "/comment/body"] },
  stamped: { signature: "timestamped", secret: "FUZZ_SECRET", fields: ["/data/text"], require_text: true },
};
const bindings = { ...env, WEBHOOKS: hooks, FUZZ_SECRET: "fuzz" } as Bindings;

type Pick = <T>(items: readonly T[]) => T;

const ROUTES = ["/v1/classify", "/v1/tokenize", "/v1/moderations", "/v1/webhooks/open", "/v1/webhooks/gh", "/v1/webhooks/stamped"];
const ODD_PATHS = ["/v1/models", "/healthz", "/v1/webhooks/nope", "/proxy/x", "/v1/classify/", "/V1/CLASSIFY", "/v1/%ZZ", "/", "/v1/classify?input=hi"];
const ODD_METHODS = ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
const TYPES = ["application/json", "application/json", "application/json; charset=utf-8", "application/json; charset=utf-16", "application/vnd.api+json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/json\u0000", "*/*"];
const MODELS = [undefined, undefined, "sentiment", "moderation", "ghost", "", 7, null, ["sentiment"], "../sentiment", "sentiment\u0000"];
const CHUNKS = ["good", "bad", " ", "\u2028", "\u2029", "é", "e\u0301", "😀", "\u200d", "\ud800", "\udfff", "\u0000", "\t\n", "٣", "𝔘", "ﬁ", "İ", "ß", "中文", "\ufeff", "<script>", "\\", '"', "~1/", "%00", "a".repeat(50)];

function text(rng: Rng, pick: Pick, maxChunks: number): string {
  let out = "";
  const n = 1 + rng.int(maxChunks);
  for (let i = 0; i < n; i++) out += pick(CHUNKS);
  return out;
}

function inputValue(rng: Rng, pick: Pick): unknown {
  switch (rng.int(9)) {
    case 0:
      return text(rng, pick, 6);
    case 1:
      return Array.from({ length: 1 + rng.int(4) }, () => text(rng, pick, 4));
    case 2:
      return Array.from({ length: rng.int(40) }, () => "hi");
    case 3:
      return pick(["", "   ", [], [""], [1], [null], {}, 0, true, null]);
    case 4:
      return [text(rng, pick, 3), pick([1, null, {}, [], "x"])];
    case 5:
      return { text: "hi", text_pair: "there" };
    case 6:
      return "word ".repeat(100 + rng.int(3000)); // up to ~15,000 characters: truncated, budget
    case 7:
      return Array.from({ length: 3 + rng.int(6) }, () => "long review ".repeat(300)); // over the work budget
    default:
      return text(rng, pick, 2);
  }
}

function jsonBody(rng: Rng, pick: Pick): unknown {
  const body: Record<string, unknown> = {};
  if (rng.next() < 0.9) body["input"] = inputValue(rng, pick);
  const model = pick(MODELS);
  if (model !== undefined) body["model"] = model;
  if (rng.next() < 0.1) body["extra"] = { nested: [1, 2, { deep: true }] };
  if (rng.next() < 0.2) {
    body["text"] = text(rng, pick, 4);
    body["issue"] = { title: text(rng, pick, 3), body: null };
    body["comment"] = rng.next() < 0.5 ? { body: text(rng, pick, 3) } : "not an object";
    body["items"] = [{ body: "x" }, { body: 5 }, null];
    body["data"] = { text: pick([text(rng, pick, 2), 1, null, ""]) };
  }
  if (rng.next() < 0.05) return pick([[body], "string", 42, null, true]);
  return body;
}

function bodyBytes(rng: Rng, pick: Pick): BodyInit | undefined {
  const json = JSON.stringify(jsonBody(rng, pick));
  switch (rng.int(14)) {
    case 0:
      return json.slice(0, rng.int(json.length)); // truncated
    case 1:
      return `\ufeff${json}`; // byte-order mark
    case 2:
      return `${json}garbage`;
    case 3:
      return new Uint8Array([0x7b, 0x22, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d]); // {"input":"<invalid UTF-8>"}
    case 4: {
      const units = new Uint16Array([...json].map((ch) => ch.charCodeAt(0)));
      return new Uint8Array(units.buffer); // UTF-16
    }
    case 5:
      return `${"[".repeat(5000)}${"]".repeat(5000)}`;
    case 6:
      return JSON.stringify({ input: "x".repeat(270_000) }); // over MAX_BODY_BYTES
    case 7:
      return "";
    case 8:
      return `payload=${encodeURIComponent(json)}`;
    case 9:
      return undefined;
    default:
      return json;
  }
}

async function headersFor(rng: Rng, pick: Pick, path: string, body: BodyInit | undefined): Promise<Headers> {
  const headers = new Headers();
  const type = pick(TYPES);
  if (type !== "") {
    try {
      headers.set("content-type", type);
    } catch {
      headers.set("content-type", "application/json");
    }
  }
  if (rng.next() < 0.2) headers.set("x-request-id", pick(["abc", "x".repeat(500), "<script>", "ok-1", "é"].map((v) => encodeURIComponent(v))));
  if (rng.next() < 0.2) headers.set("cache-control", pick(["no-cache", "no-store", "max-age=0", "no-cache, no-store", "garbage=="]));
  if (rng.next() < 0.1) headers.set("authorization", pick(["Bearer x", "Basic abc", "Bearer ", "bearer"]));
  if (rng.next() < 0.05) headers.set("content-encoding", "gzip");
  if (path.includes("webhooks")) {
    const raw = typeof body === "string" ? body : "";
    if (rng.next() < 0.5) {
      const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(rng.next() < 0.7 ? "fuzz" : "wrong"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(raw)));
      headers.set("x-hub-signature-256", `sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`);
    } else if (rng.next() < 0.5) {
      headers.set("x-hub-signature-256", pick(["sha256=", "sha1=abc", `sha256=${"0".repeat(64)}`, `sha256=${"z".repeat(2000)}`]));
    }
    const now = Math.floor(Date.now() / 1000);
    if (rng.next() < 0.4) headers.set("x-webhook-signature", await signTimestamped(rng.next() < 0.7 ? "fuzz" : "wrong", raw, now + pick([0, 0, -400, 400])));
    else if (rng.next() < 0.3) headers.set("x-webhook-signature", pick([`t=${now}`, "v1=abc", `t=${now},${"v1=00,".repeat(50)}`, "t=abc,v1=abc", ","]));
    if (rng.next() < 0.3) headers.set("x-github-event", pick(["ping", "issues", "push"]));
  }
  return headers;
}

interface Envelope {
  error?: { code?: unknown; message?: unknown };
}

/** The failure for this answer, or undefined when it is a proper one. */
async function judge(request: { method: string; url: string }, response: Response): Promise<string | undefined> {
  const status = response.status;
  if (status >= 500 && status !== 503) return `status ${status}: ${await response.text()}`;
  if (request.method === "HEAD") return undefined;
  const raw = await response.text();
  // A CORS preflight is answered by the CORS middleware with an empty 204 (no model, no limiter).
  if (request.method === "OPTIONS" && status === 204) return raw === "" ? undefined : `OPTIONS 204 with a body: ${raw.slice(0, 200)}`;
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return `status ${status}, not JSON: ${raw.slice(0, 200)}`;
  }
  if (!(response.headers.get("content-type") ?? "").startsWith("application/json")) return `status ${status}, content-type ${response.headers.get("content-type")}`;
  if (status >= 400) {
    const error = (body as Envelope).error;
    const keys = Object.keys(body as object);
    if (error === undefined || typeof error.code !== "string" || typeof error.message !== "string") return `status ${status}, not the envelope: ${raw.slice(0, 200)}`;
    if (!keys.every((k) => k === "error" || k === "moderation")) return `status ${status}, extra keys ${keys.join(",")}`;
    if (/\n\s+at /.test(error.message)) return `status ${status}, stack trace in message`;
    return undefined;
  }
  const path = new URL(request.url).pathname;
  const b = body as Record<string, unknown>;
  const ok = (() => {
    if (path === "/v1/classify") return Array.isArray(b["results"]) && (b["results"] as { label?: unknown; score?: unknown }[]).every((r) => typeof r.label === "string" && typeof r.score === "number");
    if (path === "/v1/tokenize") return Array.isArray(b["tokens"]) && (b["tokens"] as { ids?: unknown }[]).every((t) => Array.isArray(t.ids));
    if (path === "/v1/moderations") return Array.isArray(b["results"]) && (b["results"] as { flagged?: unknown }[]).every((r) => typeof r.flagged === "boolean");
    if (path === "/v1/models") return b["object"] === "list" && Array.isArray(b["data"]);
    if (path === "/healthz") return b["status"] === "ok";
    if (path.startsWith("/v1/webhooks/")) return typeof b["flagged"] === "boolean" && typeof b["moderated"] === "boolean" && Array.isArray(b["results"]);
    return false;
  })();
  return ok ? undefined : `status ${status} on ${path}, not a valid result: ${raw.slice(0, 200)}`;
}

describe("fuzz", () => {
  it(`answers ${CASES} seeded random requests with the envelope or a valid result, never a 500, and still serves`, async () => {
    const rng = new Rng(SEED);
    const pick: Pick = (items) => items[rng.int(items.length)]!;
    const app = createApp();
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (let start = 0; start < CASES; start += CONCURRENCY) {
      const batch: Promise<void>[] = [];
      for (let n = start; n < Math.min(CASES, start + CONCURRENCY); n++) {
        const method = rng.next() < 0.85 ? "POST" : pick(ODD_METHODS);
        const path = rng.next() < 0.8 ? pick(ROUTES) : pick(ODD_PATHS);
        const body = method === "GET" || method === "HEAD" ? undefined : bodyBytes(rng, pick);
        const headers = await headersFor(rng, pick, path, body);
        const viaSelf = rng.next() < 0.5;
        const init: RequestInit = body === undefined ? { method, headers } : { method, headers, body };
        batch.push(
          (async () => {
            const request = new Request(`http://worker${path}`, init);
            let response: Response;
            if (viaSelf) response = await SELF.fetch(request);
            else {
              const ctx = createExecutionContext();
              response = await app.fetch(request, bindings, ctx);
              await waitOnExecutionContext(ctx);
            }
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            const failure = await judge({ method, url: request.url }, response);
            if (failure !== undefined) failures.push(`seed ${SEED} case ${n} (${method} ${path}, ${viaSelf ? "SELF" : "app"}): ${failure}`);
          })(),
        );
      }
      await Promise.all(batch);
    }
    console.log(`fuzz statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    expect(failures.slice(0, 10)).toEqual([]);
    // The fuzz reached the model and refused plenty: not just 404s.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(CASES / 20);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(CASES / 20);

    // Still serving, through both doors.
    const post = (input: unknown) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input }) });
    for (const path of ["/v1/classify", "/v1/moderations", "/v1/tokenize"]) {
      expect((await SELF.fetch(`http://worker${path}`, post("still serving after the fuzz"))).status, path).toBe(200);
      expect((await app.request(path, post("still serving after the fuzz"), bindings)).status, path).toBe(200);
    }
    expect((await SELF.fetch("http://worker/v1/models")).status).toBe(200);
  }, 300_000);
});
