/**
 * Moderation API and signed-webhook moderation in workerd, on the real moderation model shards:
 * OpenAI-shaped answers, thresholds, every signature / body / pointer failure with its status,
 * nothing forwarded when rejected, forwarding success and failure (502).
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import type { Bindings } from "../../src/env.ts";
import { signTimestamped, verifyGithub } from "../../src/webhooks/signature.ts";

const app = createApp();
const json = { "content-type": "application/json" };

interface Moderation {
  id: string;
  model: string;
  results: {
    flagged: boolean;
    categories: Record<string, boolean>;
    category_scores: Record<string, number>;
    category_applied_input_types: Record<string, string[]>;
  }[];
}

async function moderate(input: unknown, bindings: Bindings = env): Promise<[number, Moderation]> {
  const response = await app.request("/v1/moderations", { method: "POST", headers: json, body: JSON.stringify({ input }) }, bindings);
  return [response.status, (await response.json()) as Moderation];
}

describe("POST /v1/moderations", () => {
  it("answers in OpenAI's shape with the model's categories, for string and array input", async () => {
    const [status, body] = await moderate("I will find you and hurt you");
    expect(status).toBe(200);
    expect(body.id).toMatch(/^modr-[0-9a-f-]{36}$/);
    expect(body.model).toBe("moderation");
    expect(body.results).toHaveLength(1);
    const [result] = body.results;
    // The model's labels, plus OpenAI's name that `offensive` maps to (MODERATION_CATEGORIES).
    expect(Object.keys(result!.categories).sort()).toEqual(["harassment", "hate", "offensive"]);
    for (const score of Object.values(result!.category_scores)) {
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
    expect(result!.flagged).toBe(Object.values(result!.categories).some(Boolean));

    const texts = ["have a lovely day", "I will find you and hurt you", "thanks for the help!"];
    const [, batch] = await moderate(texts);
    expect(batch.results).toHaveLength(3);
    expect(batch.results[1]).toEqual(result); // same text, same answer, in request order
  });

  it("flags an abusive text and passes a friendly one (trained moderation model)", async () => {
    const [status, body] = await moderate(["have a lovely day, thank you", "shut up you stupid bitch"]);
    expect(status).toBe(200);
    const [clean, abusive] = body.results;
    expect(clean).toMatchObject({ flagged: false, categories: { hate: false, offensive: false } });
    expect(clean!.category_scores["offensive"]).toBeLessThan(0.2);
    expect(abusive).toMatchObject({ flagged: true, categories: { offensive: true } });
    expect(abusive!.category_scores["offensive"]).toBeGreaterThan(0.8);
  });

  it("applies the configured per-category thresholds", async () => {
    const text = "you people are all the same";
    const [, base] = await moderate(text);
    const scores = base.results[0]!.category_scores;
    const everything = await moderate(text, { ...env, MODERATION_THRESHOLDS: "0" });
    expect(everything[1].results[0]).toMatchObject({ flagged: true, categories: { hate: true, offensive: true } });
    const nothing = await moderate(text, { ...env, MODERATION_THRESHOLDS: "1" });
    expect(nothing[1].results[0]).toMatchObject({ flagged: false, categories: { hate: false, offensive: false } });
    const split = await moderate(text, { ...env, MODERATION_THRESHOLDS: `hate=${scores["hate"]},offensive=${Math.min(1, scores["offensive"]! + 1e-6)}` });
    expect(split[1].results[0]).toMatchObject({ flagged: true, categories: { hate: true, offensive: false } });
  });

  it("flags at the model's own thresholds (manifest) unless configuration names the category or a default", async () => {
    const manifest = (await (await env.ASSETS.fetch(new Request("http://assets/moderation/manifest.json"))).json()) as { thresholds?: Record<string, number> };
    const own: Record<string, number> = { hate: 0.5, offensive: 0.5, ...manifest.thresholds };
    // The shipped model's thresholds, chosen on its selection split, are not all 0.5.
    expect(Object.values(own).some((t) => t !== 0.5)).toBe(true);
    const texts = ["this is garbage", "nobody likes you", "you sound ridiculous", "have a lovely day, thank you", "shut up you stupid bitch"];
    const flagsAt = (body: Moderation, at: Record<string, number>) =>
      body.results.map((r) => expect(r.categories).toMatchObject({ hate: r.category_scores["hate"]! >= at["hate"]!, offensive: r.category_scores["offensive"]! >= at["offensive"]! }));
    const [, base] = await moderate(texts);
    // Some score lies between the model's threshold and 0.5, where the two disagree.
    const between = base.results.flatMap((r) => ["hate", "offensive"].filter((c) => (r.category_scores[c]! >= own[c]!) !== (r.category_scores[c]! >= 0.5)));
    expect(between.length).toBeGreaterThan(0);
    flagsAt(base, own);
    flagsAt((await moderate(texts, { ...env, MODERATION_THRESHOLDS: "hate=0.5" }))[1], { hate: 0.5, offensive: own["offensive"]! });
    flagsAt((await moderate(texts, { ...env, MODERATION_THRESHOLDS: "0.5" }))[1], { hate: 0.5, offensive: 0.5 });
    flagsAt((await moderate(texts, { ...env, MODERATION_THRESHOLDS: "default=0.5" }))[1], { hate: 0.5, offensive: 0.5 });
  });

  it("refuses a model that is not multi-label with 400, for the API and for webhooks", async () => {
    const response = await app.request("/v1/moderations", { method: "POST", headers: json, body: '{"input":"have a nice day","model":"sentiment"}' }, env);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("unsupported_model");
    expect(body.error.message).toMatch(/sentiment.*multi-label/);
    const hook = { open: { signature: "none", fields: ["/text"], model: "sentiment" } };
    const delivered = await app.request("/v1/webhooks/open", { method: "POST", headers: json, body: '{"text":"hello"}' }, { ...env, WEBHOOKS: hook } as Bindings);
    expect(delivered.status).toBe(400);
    expect(((await delivered.json()) as { error: { code: string } }).error.code).toBe("unsupported_model");
    const viaConfig = await app.request("/v1/moderations", { method: "POST", headers: json, body: '{"input":"x"}' }, { ...env, MODERATION_MODEL: "sentiment" });
    expect(viaConfig.status).toBe(400);
  });

  it("reports a bad threshold setting as a configuration error", async () => {
    const response = await app.request("/v1/moderations", { method: "POST", headers: json, body: '{"input":"x"}' }, { ...env, MODERATION_THRESHOLDS: "hate=lots" });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("config_error");
  });
});

// --- webhooks ---------------------------------------------------------------------------------

const GITHUB_SECRET = "It's a Secret to Everybody";
const STRIPE_SECRET = "whsec_test_secret";

const hooks = {
  "gh-respond": { signature: "github", secret: "GH_SECRET", fields: ["/issue/title", "/issue/body", "/comments/body"], action: "respond" },
  "gh-forward": { signature: "github", secret: "GH_SECRET", fields: ["/comment/body"], action: "forward", target: "https://target.example/hooks/in" },
  "gh-block": { signature: "github", secret: "GH_SECRET", fields: ["/comment/body"], action: "forward", target: "https://target.example/hooks/in", block_flagged: true },
  stamped: { signature: "timestamped", secret: "STRIPE_SECRET", fields: ["/data/text"], tolerance_seconds: 300 },
  open: { signature: "none", fields: ["/text"] },
  strict: { signature: "github", secret: "GH_SECRET", fields: ["/comment/body"], require_text: true },
};
const bindings = { ...env, WEBHOOKS: hooks, GH_SECRET: GITHUB_SECRET, STRIPE_SECRET } as Bindings;

async function githubSignature(body: string, secret = GITHUB_SECRET): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
  return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

async function deliver(hook: string, body: string, headers: Record<string, string>, extra: Partial<Bindings> = {}) {
  const response = await app.request(`/v1/webhooks/${hook}`, { method: "POST", headers: { ...json, ...headers }, body }, { ...bindings, ...extra });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

const issue = JSON.stringify({ action: "opened", issue: { title: "Crash on start", body: "The app crashes when I open it." }, comments: [{ body: "same here" }, { body: "thanks for reporting" }] });

describe("POST /v1/webhooks/:hook", () => {
  const upstream = vi.spyOn(globalThis, "fetch");
  afterEach(() => upstream.mockReset());

  it("checks GitHub's documented test vector", async () => {
    // docs.github.com "Validating webhook deliveries": secret, payload and signature as published.
    const vector = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    await expect(verifyGithub(GITHUB_SECRET, new TextEncoder().encode("Hello, World!"), vector)).resolves.toBeUndefined();
    await expect(verifyGithub(GITHUB_SECRET, new TextEncoder().encode("Hello, World?"), vector)).rejects.toThrow(/does not match/);
    // Through the route: the signature passes, then the (non-JSON) body is refused as such.
    const result = await deliver("gh-respond", "Hello, World!", { "x-hub-signature-256": vector });
    expect(result.status).toBe(400);
    expect(result.body.error!.code).toBe("invalid_json");
  });

  it("moderates the configured fields of a validly signed payload (arrays walked)", async () => {
    const result = await deliver("gh-respond", issue, { "x-hub-signature-256": await githubSignature(issue) });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ hook: "gh-respond", model: expect.stringMatching(/^moderation@/) });
    const fields = (result.body["results"] as { field: string; flagged: boolean }[]).map((r) => r.field);
    expect(fields).toEqual(["/issue/title", "/issue/body", "/comments/0/body", "/comments/1/body"]);
    expect(typeof result.body["flagged"]).toBe("boolean");
  });

  it("rejects a tampered body, a wrong secret and a missing header with 401", async () => {
    const signature = await githubSignature(issue);
    const tampered = await deliver("gh-forward", issue.replace("crashes", "works"), { "x-hub-signature-256": signature });
    expect([tampered.status, tampered.body.error!.code]).toEqual([401, "signature_invalid"]);
    const wrongSecret = await deliver("gh-forward", issue, { "x-hub-signature-256": await githubSignature(issue, "not the secret") });
    expect([wrongSecret.status, wrongSecret.body.error!.code]).toEqual([401, "signature_invalid"]);
    const missing = await deliver("gh-forward", issue, {});
    expect([missing.status, missing.body.error!.code]).toEqual([401, "signature_missing"]);
    const malformed = await deliver("gh-forward", issue, { "x-hub-signature-256": "sha256=zz" });
    expect([malformed.status, malformed.body.error!.code]).toEqual([401, "signature_invalid"]);
    expect(upstream).not.toHaveBeenCalled();
  });

  it("accepts a fresh timestamped signature and refuses stale and future ones", async () => {
    const body = JSON.stringify({ data: { text: "great service, thank you" } });
    const now = Math.floor(Date.now() / 1000);
    const fresh = await deliver("stamped", body, { "x-webhook-signature": await signTimestamped(STRIPE_SECRET, body, now) });
    expect(fresh.status).toBe(200);
    const stale = await deliver("stamped", body, { "x-webhook-signature": await signTimestamped(STRIPE_SECRET, body, now - 301) });
    expect([stale.status, stale.body.error!.code]).toEqual([401, "signature_expired"]);
    expect(stale.body.error!.message).toMatch(/old/);
    // Stamped from the clock as it is now: the fresh delivery above may have loaded the model for seconds,
    // and a stamp 301 s ahead of the start would then be within the 300 s tolerance.
    const later = Math.floor(Date.now() / 1000);
    const future = await deliver("stamped", body, { "x-webhook-signature": await signTimestamped(STRIPE_SECRET, body, later + 330) });
    expect([future.status, future.body.error!.code]).toEqual([401, "signature_expired"]);
    expect(future.body.error!.message).toMatch(/future/);
    const wrong = await deliver("stamped", body, { "x-webhook-signature": await signTimestamped("other", body, now) });
    expect([wrong.status, wrong.body.error!.code]).toEqual([401, "signature_invalid"]);
  });

  it("bounds the signature header before hashing: too many entries or too many bytes → 401", async () => {
    const body = JSON.stringify({ data: { text: "great service, thank you" } });
    const now = Math.floor(Date.now() / 1000);
    const valid = await signTimestamped(STRIPE_SECRET, body, now);
    const fake = (i: number) => `v1=${i.toString(16).padStart(64, "0")}`;
    const verify = vi.spyOn(crypto.subtle, "verify");
    try {
      const flood = await deliver("stamped", body, { "x-webhook-signature": [`t=${now}`, ...Array.from({ length: 2000 }, (_, i) => fake(i))].join(",") });
      expect([flood.status, flood.body.error!.code]).toEqual([401, "signature_invalid"]);
      expect(flood.body.error!.message).toMatch(/at most/);
      const long = await deliver("stamped", body, { "x-webhook-signature": `${valid},v0=${"a".repeat(2000)}` });
      expect([long.status, long.body.error!.code]).toEqual([401, "signature_invalid"]);
      expect(long.body.error!.message).toMatch(/at most 1024/);
      const github = await deliver("gh-respond", issue, { "x-hub-signature-256": `sha256=${"0".repeat(4000)}` });
      expect([github.status, github.body.error!.code]).toEqual([401, "signature_invalid"]);
      expect(verify).not.toHaveBeenCalled();
      // Key rotation still works: a few v1 entries, one of them right.
      const rotated = await deliver("stamped", body, { "x-webhook-signature": [valid, fake(1), fake(2)].join(",") });
      expect(rotated.status).toBe(200);
      expect(verify.mock.calls.length).toBeLessThanOrEqual(8);
    } finally {
      verify.mockRestore();
    }
  });

  it("answers 413 for an oversize body, 400 for a signed non-JSON body, 422 when no field has text and the hook requires it, 404 for an unknown hook", async () => {
    const big = JSON.stringify({ comment: { body: "x".repeat(2048) } });
    const oversize = await deliver("gh-forward", big, { "x-hub-signature-256": await githubSignature(big) }, { MAX_BODY_BYTES: "1024" });
    expect([oversize.status, oversize.body.error!.code]).toEqual([413, "payload_too_large"]);

    const text = "not json at all";
    const notJson = await deliver("gh-forward", text, { "x-hub-signature-256": await githubSignature(text) });
    expect([notJson.status, notJson.body.error!.code]).toEqual([400, "invalid_json"]);

    const ping = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    const nothing = await deliver("strict", ping, { "x-hub-signature-256": await githubSignature(ping) });
    expect([nothing.status, nothing.body.error!.code]).toEqual([422, "no_text"]);

    const unknown = await deliver("nope", "{}", {});
    expect([unknown.status, unknown.body.error!.code]).toEqual([404, "hook_not_found"]);
    expect(upstream).not.toHaveBeenCalled();
  });

  it("accepts GitHub's ping and events without text: 200, nothing flagged, the verdict says why", async () => {
    const ping = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1, hook: { type: "Repository", events: ["issues"], config: { content_type: "json" } } });
    const headers = { "x-hub-signature-256": await githubSignature(ping), "x-github-event": "ping" };
    const responded = await deliver("gh-respond", ping, headers);
    expect(responded.status).toBe(200);
    expect(responded.body).toMatchObject({ hook: "gh-respond", flagged: false, moderated: false, results: [] });
    expect(responded.body["reason"]).toMatch(/ping.*\/issue\/title/);

    upstream.mockResolvedValue(new Response("ok", { status: 200 }));
    const star = JSON.stringify({ action: "created", starred_at: "2026-11-30T00:00:00Z", repository: { full_name: "o/r" } });
    const forwarded = await deliver("gh-forward", star, { "x-hub-signature-256": await githubSignature(star), "x-github-event": "star" });
    expect(forwarded.status).toBe(200);
    expect(forwarded.body).toMatchObject({ flagged: false, moderated: false, forwarded: { status: 200 } });
    expect(new Headers((upstream.mock.calls[0]![1] as RequestInit).headers).get("x-moderation-flagged")).toBe("false");
    // Under thresholds of 0 every moderated text is flagged; a payload without text still is not.
    const blocked = await deliver("gh-block", ping, headers, { MODERATION_THRESHOLDS: "0" });
    expect([blocked.status, blocked.body["flagged"]]).toEqual([200, false]);
  });

  it("accepts GitHub's form-encoded deliveries (payload=<json>), signed over the raw body", async () => {
    const form = `payload=${encodeURIComponent(issue).replace(/%20/g, "+")}`;
    const formHeaders = { "content-type": "application/x-www-form-urlencoded", "x-hub-signature-256": await githubSignature(form), "x-github-event": "issues" };
    const viaForm = await deliver("gh-respond", form, formHeaders);
    expect(viaForm.status).toBe(200);
    const viaJson = await deliver("gh-respond", issue, { "x-hub-signature-256": await githubSignature(issue) });
    expect(viaForm.body["results"]).toEqual(viaJson.body["results"]);
    expect(viaForm.body["moderated"]).toBe(true);

    const tampered = await deliver("gh-respond", form.replace("Crash", "Crush"), formHeaders);
    expect([tampered.status, tampered.body.error!.code]).toEqual([401, "signature_invalid"]);
    const noPayload = "other=1";
    const missing = await deliver("gh-respond", noPayload, { ...formHeaders, "x-hub-signature-256": await githubSignature(noPayload) });
    expect([missing.status, missing.body.error!.code]).toEqual([400, "invalid_json"]);
    expect(missing.body.error!.message).toMatch(/payload/);
  });

  it("walks a payload nested thousands of arrays deep without overflowing the stack (found by the fuzz test)", async () => {
    const deep = `{"text": ${"[".repeat(20_000)}"deep down"${"]".repeat(20_000)}}`;
    const result = await deliver("open", deep, {});
    expect(result.status).toBe(200);
    expect((result.body["results"] as { field: string }[])[0]!.field).toBe(`/text${"/0".repeat(20_000)}`);
    const order = await deliver("open", JSON.stringify({ text: ["a", ["b", "c"], "d"] }), {});
    expect((order.body["results"] as { field: string }[]).map((r) => r.field)).toEqual(["/text/0", "/text/1/0", "/text/1/1", "/text/2"]);
  });

  it("forwards the original bytes with x-moderation headers", async () => {
    upstream.mockResolvedValue(new Response("ok", { status: 202 }));
    const body = JSON.stringify({ comment: { body: "Looks good to me, merging." } });
    const signature = await githubSignature(body);
    const result = await deliver("gh-forward", body, { "x-hub-signature-256": signature, "x-github-event": "issue_comment" });
    expect(result.status).toBe(200);
    expect(result.body["forwarded"]).toEqual({ status: 202 });
    expect(upstream).toHaveBeenCalledTimes(1);
    const [target, init] = upstream.mock.calls[0]! as [string, RequestInit];
    expect(target).toBe("https://target.example/hooks/in");
    expect(new TextDecoder().decode(init.body as Uint8Array)).toBe(body);
    const headers = new Headers(init.headers);
    expect(headers.get("x-hub-signature-256")).toBe(signature);
    expect(headers.get("x-github-event")).toBe("issue_comment");
    expect(headers.get("x-moderation-flagged")).toBe(String(result.body["flagged"]));
    expect(headers.get("x-moderation-model")).toMatch(/^moderation@/);
  });

  it("answers 502 when forwarding fails, so the sender retries", async () => {
    const body = JSON.stringify({ comment: { body: "Please review." } });
    const signature = await githubSignature(body);
    upstream.mockRejectedValueOnce(new Error("connection refused"));
    const refused = await deliver("gh-forward", body, { "x-hub-signature-256": signature });
    expect([refused.status, refused.body.error!.code]).toEqual([502, "forward_failed"]);
    upstream.mockResolvedValueOnce(new Response("boom", { status: 503 }));
    const failing = await deliver("gh-forward", body, { "x-hub-signature-256": signature });
    expect([failing.status, failing.body.error!.code]).toEqual([502, "forward_failed"]);
    expect(failing.body.error!.message).toContain("503");
  });

  it("blocks flagged payloads with 422 and does not forward them", async () => {
    const body = JSON.stringify({ comment: { body: "whatever this says, every category is flagged at threshold 0" } });
    const result = await deliver("gh-block", body, { "x-hub-signature-256": await githubSignature(body) }, { MODERATION_THRESHOLDS: "0" });
    expect([result.status, result.body.error!.code]).toEqual([422, "flagged"]);
    expect(result.body["moderation"]).toMatchObject({ flagged: true });
    expect(upstream).not.toHaveBeenCalled();
  });

  it("is not behind the API key (webhooks are signed instead)", async () => {
    const body = JSON.stringify({ text: "hello there" });
    const result = await deliver("open", body, {}, { API_KEY: "k3y" });
    expect(result.status).toBe(200);
  });
});
