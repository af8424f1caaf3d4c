/**
 * A failed model load must not strand the isolate (issue 13, item 1). Through `SELF.fetch`, each
 * request has its own workerd request context: `GET /v1/models` with a broken model (`ghost`, or
 * a missing manifest) must not leave the other models' shared loads tied to its ended request, so
 * the next requests for the good models answer 200 and the broken one 503, again and again.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

interface Envelope {
  error: { code: string; message: string };
}

/** A request through the Worker; one that hangs (a stranded shared load) fails after 90 s. */
function call(path: string, body?: unknown, fault?: string): Promise<Response> {
  const headers: Record<string, string> = fault === undefined ? {} : { "x-fault": fault };
  const init: RequestInit =
    body === undefined ? { headers } : { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) };
  return within(SELF.fetch(`http://worker${path}`, init), `${path} hung: a shared load was stranded by an ended request`);
}

/** The answer, or a failure after 90 s (a hung request never answers; a cold load on a loaded machine takes seconds). */
function within<T>(answer: Promise<T>, message: string): Promise<T> {
  let timer = 0;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), 90_000) as unknown as number;
  });
  return Promise.race([answer, hung]).finally(() => clearTimeout(timer));
}

async function status(response: Response): Promise<[number, unknown]> {
  return [response.status, await response.json()];
}

describe("a model that cannot be loaded (MODELS=sentiment,ghost,moderation)", () => {
  it("lists the models with the broken one marked, and leaves the good ones serving", async () => {
    const listed = await call("/v1/models");
    expect(listed.status).toBe(200);
    const list = (await listed.json()) as { data: { id: string; loaded: boolean; error?: Envelope["error"] }[] };
    expect(list.data.map((m) => m.id)).toEqual(["sentiment", "ghost", "moderation"]);
    expect(list.data[1]!.error).toMatchObject({ code: "model_unavailable" });
    expect(list.data[0]!.error).toBeUndefined();
    expect(list.data[2]!.error).toBeUndefined();

    for (let round = 0; round < 2; round++) {
      const [classified] = await status(await call("/v1/classify", { input: "a warm , funny film ." }));
      expect(classified).toBe(200);
      const [moderated] = await status(await call("/v1/moderations", { input: "have a nice day" }));
      expect(moderated).toBe(200);
      const [ghost, body] = await status(await call("/v1/classify", { model: "ghost", input: "hello" }));
      expect(ghost).toBe(503);
      expect((body as Envelope).error.code).toBe("model_unavailable");
      expect((await call("/v1/models")).status).toBe(200);
    }
  });

  it("survives a request for the broken model racing cold loads of the good ones", async () => {
    const answers = await Promise.all([
      call("/v1/classify", { model: "ghost", input: "x" }),
      call("/v1/models"),
      call("/v1/tokenize", { model: "moderation", input: "x" }),
    ]);
    expect(answers.map((r) => r.status)).toEqual([503, 200, 200]);
    expect((await call("/v1/tokenize", { model: "sentiment", input: "still fine" })).status).toBe(200);
  });
});

describe("a request that ends while its shared load is under way", () => {
  it("does not take the load down with it: the next request is served", async () => {
    // A cold registry (its own app instance); the client gives up 20 ms into the model load.
    const headers = { "x-app": "abandoned", "content-type": "application/json" };
    const body = JSON.stringify({ model: "moderation", input: "the first request gives up" });
    const abandoned = new AbortController();
    const first = SELF.fetch("http://worker/v1/classify", { method: "POST", headers, body, signal: abandoned.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    abandoned.abort();
    await first.catch(() => undefined);
    const retry = SELF.fetch("http://worker/v1/classify", { method: "POST", headers, body: JSON.stringify({ model: "moderation", input: "the next one waits" }) });
    const next = await within(retry, "the next request hung on the abandoned load");
    expect(next.status).toBe(200);
  });
});

describe("the default config with model-shards/sentiment/manifest.json missing", () => {
  it("answers 503 for sentiment and keeps moderation serving after /v1/models", async () => {
    const fault = "missing-manifest";
    const listed = await call("/v1/models", undefined, fault);
    expect(listed.status).toBe(200);
    const list = (await listed.json()) as { data: { id: string; error?: Envelope["error"] }[] };
    expect(list.data[0]).toMatchObject({ id: "sentiment", error: { code: "model_unavailable" } });
    for (let round = 0; round < 2; round++) {
      const [moderated] = await status(await call("/v1/moderations", { input: "have a nice day" }, fault));
      expect(moderated).toBe(200);
      const [classified, body] = await status(await call("/v1/classify", { input: "a fine film" }, fault));
      expect(classified).toBe(503);
      expect((body as Envelope).error.message).toContain("manifest");
    }
  });
});
