/**
 * Bad input through the real Worker in workerd: every error is the JSON envelope with the right
 * status and no stack trace. None of these requests loads a model.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

interface Envelope {
  error: { code: string; message: string };
}

async function expectError(response: Response, status: number, code: string): Promise<Envelope> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await response.json()) as Envelope;
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "message"]);
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.message).not.toMatch(/\n\s+at /);
  return body;
}

const post = (path: string, body: BodyInit, contentType = "application/json") =>
  SELF.fetch(`http://worker${path}`, { method: "POST", headers: { "content-type": contentType }, body });

describe("health", () => {
  it("answers ok with a request id", async () => {
    const response = await SELF.fetch("http://worker/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("echoes a sane caller request id and replaces an unsafe one", async () => {
    const kept = await SELF.fetch("http://worker/healthz", { headers: { "x-request-id": "abc-123" } });
    expect(kept.headers.get("x-request-id")).toBe("abc-123");
    const replaced = await SELF.fetch("http://worker/healthz", { headers: { "x-request-id": "<script>" } });
    expect(replaced.headers.get("x-request-id")).not.toBe("<script>");
  });
});

describe("bad input to /v1/classify and /v1/tokenize", () => {
  for (const path of ["/v1/classify", "/v1/tokenize"]) {
    it(`${path}: malformed JSON → 400 invalid_json`, async () => {
      await expectError(await post(path, '{"input": "unterminated'), 400, "invalid_json");
    });

    it(`${path}: wrong content type → 415`, async () => {
      await expectError(await post(path, "input=hello", "application/x-www-form-urlencoded"), 415, "unsupported_media_type");
      await expectError(await SELF.fetch(`http://worker${path}`, { method: "POST", body: "{}" }), 415, "unsupported_media_type");
    });

    it(`${path}: missing, empty and non-string input → 400`, async () => {
      await expectError(await post(path, "{}"), 400, "invalid_request");
      await expectError(await post(path, '{"input": null}'), 400, "invalid_request");
      await expectError(await post(path, '{"input": 42}'), 400, "invalid_request");
      await expectError(await post(path, '{"input": ["ok", 7]}'), 400, "invalid_request");
      await expectError(await post(path, '{"input": []}'), 400, "invalid_request");
      await expectError(await post(path, '{"input": ""}'), 400, "empty_input");
      await expectError(await post(path, '{"input": ["fine", "   "]}'), 400, "empty_input");
      await expectError(await post(path, '["not", "an", "object"]'), 400, "invalid_request");
      await expectError(await post(path, '{"input": "x", "model": 3}'), 400, "invalid_request");
    });

    it(`${path}: array over the maximum → 400 too_many_inputs`, async () => {
      const body = await expectError(await post(path, JSON.stringify({ input: Array(33).fill("hi") })), 400, "too_many_inputs");
      expect(body.error.message).toContain("32");
    });

    it(`${path}: body over the size limit → 413`, async () => {
      const big = JSON.stringify({ input: "a".repeat(300 * 1024) });
      await expectError(await post(path, big), 413, "payload_too_large");
    });

    it(`${path}: body over the limit without content-length (streamed) → 413`, async () => {
      const chunk = new TextEncoder().encode("a".repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 6) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const response = await SELF.fetch(`http://worker${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: stream,
      });
      await expectError(response, 413, "payload_too_large");
    });

    it(`${path}: unknown model → 404 model_not_found`, async () => {
      const body = await expectError(await post(path, '{"input": "hi", "model": "nope"}'), 404, "model_not_found");
      expect(body.error.message).toContain("sentiment");
    });

    it(`${path}: wrong method → 405 with Allow`, async () => {
      const response = await SELF.fetch(`http://worker${path}`);
      await expectError(response, 405, "method_not_allowed");
      expect(response.headers.get("allow")).toContain("POST");
    });
  }

  it("unknown route → 404 not_found", async () => {
    await expectError(await SELF.fetch("http://worker/v2/classify"), 404, "not_found");
    await expectError(await SELF.fetch("http://worker/sentiment/manifest.json"), 404, "not_found");
  });
});
