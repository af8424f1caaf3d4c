/**
 * `GET /openapi.json` and schema validation through the real Worker in workerd: the document is
 * served (also when API keys are required, like `/healthz`), describes what the Worker serves, and
 * a body that fails its schema answers our error (plain envelope or OpenAI's object) naming the field.
 * The document itself is validated as OpenAPI 3.1 in test/unit/api/openapi.test.ts.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import type { Bindings } from "../../src/env.ts";
import { ERROR_CODES } from "../../src/errors.ts";

interface Document {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, { enum?: string[] }>; securitySchemes: Record<string, unknown> };
}

const post = (path: string, body: string, contentType = "application/json") =>
  SELF.fetch(`http://worker${path}`, { method: "POST", headers: { "content-type": contentType }, body });

describe("GET /openapi.json", () => {
  it("serves the OpenAPI 3.1 document of every route", async () => {
    const response = await SELF.fetch("http://worker/openapi.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const doc = (await response.json()) as Document;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/healthz",
      "/openapi.json",
      "/proxy/{path}",
      "/v1/classify",
      "/v1/embeddings",
      "/v1/entities",
      "/v1/models",
      "/v1/moderations",
      "/v1/qa",
      "/v1/tokenize",
      "/v1/webhooks/{hook}",
    ]);
    expect(doc.components.schemas["ErrorCode"]!.enum).toEqual(ERROR_CODES);
    expect(doc.components.securitySchemes).toHaveProperty("bearerAuth");
    const again = await SELF.fetch("http://worker/openapi.json");
    expect(await again.json()).toEqual(doc);
  });

  it("needs no API key, while /v1/* does", async () => {
    const secured: Bindings = { ...env, API_KEY: "s3cret-key_1" };
    const app = createApp();
    expect((await app.request("/openapi.json", {}, secured)).status).toBe(200);
    expect((await app.request("/v1/models", {}, secured)).status).toBe(401);
  });

  it("answers 405 to other methods", async () => {
    const response = await SELF.fetch("http://worker/openapi.json", { method: "POST" });
    expect(response.status).toBe(405);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("method_not_allowed");
  });
});

describe("schema validation answers our errors", () => {
  it("names the field at fault in the plain envelope", async () => {
    const response = await post("/v1/classify", '{"input": ["ok", 7]}');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: "invalid_request", message: '"input[1]" must be a string or a sentence pair {"text", "text_pair"}' } });
    const strings = await post("/v1/tokenize", '{"input": ["ok", 7]}');
    expect(await strings.json()).toEqual({ error: { code: "invalid_request", message: '"input[1]" must be a string' } });
    const empty = await post("/v1/tokenize", '{"input": ["fine", " "]}');
    expect(await empty.json()).toEqual({ error: { code: "empty_input", message: '"input[1]" is empty' } });
  });

  it("names it as OpenAI's param on /v1/moderations", async () => {
    const response = await post("/v1/moderations", '{"input": [{"type": "text", "text": 3}]}');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: "invalid_request", type: "invalid_request_error", param: "input[0].text", message: '"input[0].text" must be a string' },
    });
  });

  it("reads every JSON content type it read before, including those Hono's validator does not", async () => {
    const plain = await (await post("/v1/tokenize", '{"input": "hi"}')).json();
    for (const type of ["application/json;", "application/json; charset", "text/x+json", "application/vnd.v2+json", "Application/JSON; charset=UTF-8"]) {
      const response = await post("/v1/tokenize", '{"input": "hi"}', type);
      expect([type, response.status]).toEqual([type, 200]);
      expect(await response.json()).toEqual(plain);
    }
    const invalid = await post("/v1/tokenize", '{"input": ["ok", 7]}', "text/x+json");
    expect(await invalid.json()).toEqual({ error: { code: "invalid_request", message: '"input[1]" must be a string' } });
  });
});
