/**
 * The configuration is parsed once per bindings object (workerd hands every request of an isolate
 * the same `env`), failures included; the settings of one feature (`WEBHOOKS`, `PROXY_*`) are
 * parsed on first use and fail only that feature: a bad webhook definition leaves /v1/classify
 * answering, while the webhook route answers 500 `config_error`.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { readConfig } from "../../src/config.ts";
import type { Bindings } from "../../src/env.ts";
import { ApiError } from "../../src/errors.ts";
import { HookConfigError } from "../../src/webhooks/hook-config.ts";

const json = { "content-type": "application/json" };

describe("readConfig", () => {
  it("parses once per bindings object and again for another one", () => {
    const bindings: Bindings = { ...env, MAX_BATCH: "7" };
    const first = readConfig(bindings);
    expect(first.maxBatch).toBe(7);
    expect(readConfig(bindings)).toBe(first);
    const other = readConfig({ ...bindings, MAX_BATCH: "9" });
    expect(other).not.toBe(first);
    expect(other.maxBatch).toBe(9);
  });

  it("keeps a failure too: the same error for every request of these bindings", () => {
    const bindings: Bindings = { ...env, MODERATION_THRESHOLDS: "hate=2" };
    let first: unknown;
    try {
      readConfig(bindings);
    } catch (error) {
      first = error;
    }
    expect(first).toBeInstanceOf(RangeError);
    expect(() => readConfig(bindings)).toThrow(first as Error);
  });

  it("parses WEBHOOKS on first use, once", () => {
    const config = readConfig({ ...env, WEBHOOKS: { open: { signature: "none", fields: ["/text"] } } } as Bindings);
    const hooks = config.webhooks;
    expect([...hooks.keys()]).toEqual(["open"]);
    expect(hooks.get("open")?.fields).toEqual(["/text"]);
    expect(config.webhooks).toBe(hooks);
    const broken = readConfig({ ...env, WEBHOOKS: { bad: { signature: "github", fields: ["/text"] } } } as Bindings);
    expect(() => broken.webhooks).toThrow(HookConfigError);
    expect(() => broken.webhooks).toThrow(/secret/);
  });

  it("parses PROXY_* on first use: off when PROXY_ORIGIN is unset, config_error when a setting is invalid", () => {
    expect(readConfig({ ...env }).proxy).toBeUndefined();
    const proxy = readConfig({ ...env, PROXY_ORIGIN: "https://origin.example/api", PROXY_TEXT: "query:q", PROXY_MAX_TOKENS: "64" }).proxy;
    expect(proxy).toEqual({ origin: new URL("https://origin.example/api"), text: { query: "q" }, model: "sentiment", maxTokens: 64, loadWaitMs: 500 });
    for (const bad of [{ PROXY_ORIGIN: "not a url" }, { PROXY_ORIGIN: "https://origin.example", PROXY_TEXT: "header:x" }]) {
      const config = readConfig({ ...env, ...bad });
      expect(() => config.proxy).toThrow(ApiError);
      try {
        void config.proxy;
      } catch (error) {
        expect([(error as ApiError).status, (error as ApiError).code]).toEqual([500, "config_error"]);
      }
    }
  });

  it("EARLY_EXIT: on by default, on/off in any case, anything else a config_error for every request", async () => {
    expect([undefined, "", "on", " ON "].map((v) => readConfig({ ...env, EARLY_EXIT: v }).earlyExit)).toEqual([true, true, true, true]);
    expect(readConfig({ ...env, EARLY_EXIT: "Off" }).earlyExit).toBe(false);
    const bindings = { ...env, EARLY_EXIT: "sometimes" } as Bindings;
    expect(() => readConfig(bindings)).toThrow(/EARLY_EXIT must be "on" or "off", not "sometimes"/);
    const reply = await createApp().request("/v1/tokenize", { method: "POST", headers: json, body: '{"input":"hi"}' }, bindings);
    expect(reply.status).toBe(500);
    expect(((await reply.json()) as { error: { code: string } }).error.code).toBe("config_error");
  });

  it("a bad webhook definition fails only the webhook route", async () => {
    const app = createApp();
    const bindings = { ...env, WEBHOOKS: { bad: { signature: "github", fields: ["/text"] } } } as Bindings;
    const hook = await app.request("/v1/webhooks/bad", { method: "POST", headers: json, body: '{"text":"hi"}' }, bindings);
    expect(hook.status).toBe(500);
    expect(((await hook.json()) as { error: { code: string } }).error.code).toBe("config_error");
    const tokenize = await app.request("/v1/tokenize", { method: "POST", headers: json, body: '{"input":"hi"}' }, bindings);
    expect(tokenize.status).toBe(200);
  });
});
