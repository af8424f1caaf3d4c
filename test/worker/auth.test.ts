/**
 * Optional API key: with `API_KEY` set, `/v1/*` needs `Authorization: Bearer <key>` (401 otherwise);
 * `/healthz` stays open. Runs the app in workerd with `app.request` and a modified env.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";

const app = createApp();
const secured = { ...env, API_KEY: "s3cret-key_1" };

async function status(init: RequestInit, path = "/v1/models", bindings: object = secured): Promise<[number, unknown]> {
  const response = await app.request(path, init, bindings);
  return [response.status, await response.json()];
}

describe("API key", () => {
  it("rejects a missing key with 401 and the error envelope", async () => {
    const [code, body] = await status({});
    expect(code).toBe(401);
    expect(body).toEqual({ error: { code: "unauthorized", message: expect.stringContaining("missing") } });
  });

  it("rejects a wrong key and a malformed header with 401", async () => {
    expect((await status({ headers: { authorization: "Bearer wrong-key" } }))[0]).toBe(401);
    expect((await status({ headers: { authorization: "Bearer s3cret-key_12" } }))[0]).toBe(401);
    expect((await status({ headers: { authorization: "Basic czNjcmV0" } }))[0]).toBe(401);
    expect((await status({ headers: { authorization: "Bearer " } }))[0]).toBe(401);
  });

  it("accepts the right key", async () => {
    const [code, body] = await status({ headers: { authorization: "Bearer s3cret-key_1" } });
    expect(code).toBe(200);
    expect(body).toMatchObject({ data: expect.arrayContaining([expect.objectContaining({ id: "sentiment" })]) });
  });

  it("leaves /healthz open and everything open when no key is set", async () => {
    expect((await status({}, "/healthz"))[0]).toBe(200);
    expect((await status({}, "/v1/models", env))[0]).toBe(200);
  });
});
