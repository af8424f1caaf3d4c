/**
 * The per-request work budget (issue 13, item 3) on the real model in workerd: tokens after
 * truncation, summed over all inputs, at most MAX_REQUEST_TOKENS (default 2048); past it 413
 * `too_much_work` naming the limit, before any inference; the same answer whether or not the
 * inputs are cached; moderation and webhooks share it.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import type { Bindings } from "../../src/env.ts";

interface Answer {
  status: number;
  body: { results?: { tokens: number; truncated: boolean }[]; error?: { code: string; message: string } };
}

async function post(path: string, input: unknown, bindings?: Bindings, app = createApp()): Promise<Answer> {
  const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input }) };
  const response = bindings === undefined ? await SELF.fetch(`http://worker${path}`, init) : await app.request(path, init, bindings);
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

/** A review of about `words` words (one token each, mostly). */
const review = (words: number, seed: number) => Array.from({ length: words }, (_, i) => ["good", "bad", "film", "plot", "acting"][(i + seed) % 5]).join(" ");

describe("work budget (MAX_REQUEST_TOKENS)", () => {
  it("counts tokens after truncation: four texts of 8,000 characters fit the default budget, five do not", async () => {
    const long = (i: number) => `${i} `.concat("a long and winding review of a long film . ".repeat(190)).slice(0, 8000);
    const four = await post("/v1/classify", [0, 1, 2, 3].map(long));
    expect(four.status).toBe(200);
    expect(four.body.results!.map((r) => [r.tokens, r.truncated])).toEqual(Array(4).fill([512, true]));

    const five = await post("/v1/classify", [0, 1, 2, 3, 4].map(long));
    expect(five.status).toBe(413);
    expect(five.body.error!.code).toBe("too_much_work");
    expect(five.body.error!.message).toContain("MAX_REQUEST_TOKENS");
    expect(five.body.error!.message).toContain("2048");
    expect(five.body.error!.message).toContain("2560");

    const many = await post("/v1/classify", Array.from({ length: 32 }, (_, i) => long(i)));
    expect([many.status, many.body.error!.code]).toEqual([413, "too_much_work"]);
  });

  it("sums over all inputs and follows the configured limit, cached or not", async () => {
    const app = createApp();
    const texts = [review(20, 1), review(20, 2)];
    const bindings = { ...env, MAX_REQUEST_TOKENS: "1000" };
    const measured = await post("/v1/classify", texts, bindings, app);
    expect(measured.status).toBe(200);
    const total = measured.body.results!.reduce((sum, r) => sum + r.tokens, 0);
    const one = measured.body.results![0]!.tokens;

    const exact = await post("/v1/classify", texts, { ...env, MAX_REQUEST_TOKENS: String(total) }, createApp());
    expect(exact.status).toBe(200);
    const over = await post("/v1/classify", texts, { ...env, MAX_REQUEST_TOKENS: String(total - 1) }, createApp());
    expect([over.status, over.body.error!.code]).toEqual([413, "too_much_work"]);
    expect(over.body.error!.message).toContain(`is ${total - 1} per request`);
    // Every input here is cached in `app` now: the answer is still the budget's.
    const cached = await post("/v1/classify", texts, { ...env, MAX_REQUEST_TOKENS: String(total - 1) }, app);
    expect([cached.status, cached.body.error!.code]).toEqual([413, "too_much_work"]);
    const single = await post("/v1/classify", texts[0], { ...env, MAX_REQUEST_TOKENS: String(one) }, app);
    expect(single.status).toBe(200);
  });

  it("applies to /v1/moderations too", async () => {
    const texts = [review(30, 3), review(30, 4), review(30, 0)];
    const refused = await post("/v1/moderations", texts, { ...env, MAX_REQUEST_TOKENS: "40" });
    expect([refused.status, refused.body.error!.code]).toEqual([413, "too_much_work"]);
    expect((await post("/v1/moderations", texts, { ...env, MAX_REQUEST_TOKENS: "200" })).status).toBe(200);
  });
});
