/**
 * CORS in workerd (Hono's cors middleware from `CORS_ORIGINS`): a preflight from an allowed origin
 * gets 204 with the right headers and never reaches auth, the rate limiter or a model; another
 * origin gets no `access-control-allow-origin`; simple requests (and their errors) carry it when
 * allowed; none by default.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import type { Bindings } from "../../src/env.ts";

const app = createApp();
const allowed = "https://app.example.com";
const bindings: Bindings = { ...env, CORS_ORIGINS: `${allowed}, https://admin.example.com/` };

function preflight(origin: string, bindings_: Bindings, path = "/v1/classify"): Promise<Response> {
  return Promise.resolve(
    app.request(
      path,
      { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } },
      bindings_,
    ),
  );
}

/** Bindings that fail the test if anything but CORS runs: models, limiter, KV all throw. */
function untouchable(calls: string[]): Bindings {
  const fail = (what: string) => () => {
    calls.push(what);
    throw new Error(`${what} touched by a preflight`);
  };
  return {
    ...bindings,
    API_KEYS: JSON.stringify({ someone: "0".repeat(64) }),
    ASSETS: { fetch: fail("ASSETS") } as unknown as Fetcher,
    CACHE: { get: fail("CACHE"), put: fail("CACHE") } as unknown as KVNamespace,
    RATE_LIMITER: { limit: fail("RATE_LIMITER") } as unknown as RateLimit,
  };
}

describe("CORS", () => {
  it("answers a preflight from an allowed origin with 204 and the right headers, touching nothing else", async () => {
    const calls: string[] = [];
    const response = await preflight(allowed, untouchable(calls));
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(allowed);
    expect(response.headers.get("access-control-allow-methods")?.split(",")).toEqual(expect.arrayContaining(["GET", "POST"]));
    expect(response.headers.get("access-control-allow-headers")?.split(",")).toEqual(expect.arrayContaining(["authorization", "content-type"]));
    expect(response.headers.get("access-control-max-age")).toBe("86400");
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    expect(response.headers.get("vary")).toMatch(/origin/i);
    expect(await response.text()).toBe("");
    expect((await preflight("https://admin.example.com", untouchable(calls), "/v1/moderations")).headers.get("access-control-allow-origin")).toBe("https://admin.example.com");
    expect(calls).toEqual([]);
  });

  it("gives another origin no access-control-allow-origin", async () => {
    for (const origin of ["https://evil.example.com", "https://app.example.com.evil.example", "http://app.example.com", "null"]) {
      const response = await preflight(origin, bindings);
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin"), origin).toBeNull();
      const simple = await app.request("/v1/models", { headers: { origin } }, bindings);
      expect(simple.status).toBe(200);
      expect(simple.headers.get("access-control-allow-origin"), origin).toBeNull();
    }
  });

  it("puts the header on a simple request from an allowed origin, errors included, and exposes the answer's headers", async () => {
    const response = await app.request("/v1/models", { headers: { origin: allowed } }, bindings);
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(allowed);
    const exposed = response.headers.get("access-control-expose-headers")?.split(",") ?? [];
    expect(exposed).toEqual(expect.arrayContaining(["x-request-id", "x-usage-tokens", "x-ratelimit-limit-requests", "retry-after"]));

    const refused = await app.request("/v1/models", { headers: { origin: allowed } }, { ...bindings, API_KEYS: JSON.stringify({ someone: "0".repeat(64) }) });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe(allowed);
    const bad = await app.request("/v1/classify", { method: "POST", headers: { origin: allowed, "content-type": "application/json" }, body: "{" }, bindings);
    expect(bad.status).toBe(400);
    expect(bad.headers.get("access-control-allow-origin")).toBe(allowed);
  });

  it("allows any origin with *", async () => {
    const any: Bindings = { ...env, CORS_ORIGINS: "*" };
    expect((await preflight("https://anyone.example", any)).headers.get("access-control-allow-origin")).toBe("*");
    expect((await app.request("/v1/models", { headers: { origin: "https://anyone.example" } }, any)).headers.get("access-control-allow-origin")).toBe("*");
  });

  it("sends no CORS headers by default, and still answers a preflight without auth, limiter or model", async () => {
    const calls: string[] = [];
    const off = { ...untouchable(calls), CORS_ORIGINS: undefined };
    const response = await preflight(allowed, off);
    expect(response.status).toBe(204);
    expect([...response.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);
    expect(calls).toEqual([]);
    const simple = await app.request("/v1/models", { headers: { origin: allowed } }, env);
    expect(simple.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("reports a malformed CORS_ORIGINS as a config error", async () => {
    const response = await app.request("/v1/models", { headers: { origin: allowed } }, { ...env, CORS_ORIGINS: "app.example.com" });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("config_error");
  });
});
