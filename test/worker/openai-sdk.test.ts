/**
 * OpenAI compatibility of `/v1/moderations` and `/v1/models`, checked by the official `openai` SDK
 * itself talking to the real Worker in workerd (its client takes a custom `fetch`: `SELF.fetch`, or
 * `app.request` with other bindings): OpenAI's model names, its input shapes, typed category
 * fields filled through the label mapping, `category_applied_input_types`, the model list's
 * fields, and OpenAI's error object (`message`, `type`, `param`, `code`) read back by the SDK.
 */
import { env, SELF } from "cloudflare:test";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import type { Bindings } from "../../src/env.ts";

/** A client on the deployed Worker (wrangler.toml's configuration). */
const client = new OpenAI({ apiKey: "unused", baseURL: "http://worker/v1", maxRetries: 0, fetch: (url, init) => SELF.fetch(url, init) });

/** A client on the app under other bindings. */
function clientWith(bindings: Partial<Bindings>, apiKey = "unused"): OpenAI {
  const app = createApp();
  return new OpenAI({ apiKey, baseURL: "http://worker/v1", maxRetries: 0, fetch: async (url, init) => app.request(String(url), init, { ...env, ...bindings }) });
}

/** The SDK's `APIError` from a failing call. */
async function failure(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

const ABUSIVE = "shut up you stupid bitch";
const FRIENDLY = "have a lovely day, thank you";

describe("openai SDK: moderations.create", () => {
  it("takes OpenAI's model names and fills the SDK's typed categories from the mapped labels", async () => {
    const answer = await client.moderations.create({ model: "omni-moderation-latest", input: [FRIENDLY, ABUSIVE] });
    expect(answer.id).toMatch(/^modr-/);
    expect(answer.model).toBe("moderation");
    expect(answer.results).toHaveLength(2);
    const [clean, abusive] = answer.results;
    // Typed fields, through MODERATION_CATEGORIES = "offensive=harassment,hate=hate" (wrangler.toml).
    expect(abusive!.flagged).toBe(true);
    expect(abusive!.categories.harassment).toBe(true);
    expect(abusive!.category_scores.harassment).toBeGreaterThan(0.8);
    expect(clean!.flagged).toBe(false);
    expect(clean!.categories.harassment).toBe(false);
    expect(typeof clean!.categories.hate).toBe("boolean");
    for (const result of answer.results) {
      // Our own names stay, with the same values as the OpenAI names they map to.
      const own = result as unknown as { categories: Record<string, boolean>; category_scores: Record<string, number> };
      expect(own.categories["offensive"]).toBe(result.categories.harassment);
      expect(own.category_scores["offensive"]).toBe(result.category_scores.harassment);
      expect(Object.keys(result.categories).sort()).toEqual(["harassment", "hate", "offensive"]);
      expect(result.category_applied_input_types).toEqual({ hate: ["text"], offensive: ["text"], harassment: ["text"] });
      // OpenAI categories no label maps to are absent, not a made-up false.
      expect(result.categories.sexual).toBeUndefined();
    }
    for (const model of ["text-moderation-latest", "text-moderation-stable", "moderation"]) {
      const same = await client.moderations.create({ model, input: ABUSIVE });
      expect(same.results[0]).toEqual(abusive);
    }
    // No model: MODERATION_MODEL, as before.
    expect((await client.moderations.create({ input: ABUSIVE })).results[0]).toEqual(abusive);
  });

  it("takes the multi-modal form: text parts make one submission, answered by one result", async () => {
    const plain = await client.moderations.create({ input: ABUSIVE });
    const parts = await client.moderations.create({ model: "omni-moderation-latest", input: [{ type: "text", text: ABUSIVE }] });
    expect(parts.results).toHaveLength(1);
    expect(parts.results[0]).toEqual(plain.results[0]);
    const two = await client.moderations.create({ input: [{ type: "text", text: "shut up" }, { type: "text", text: "you stupid bitch" }] });
    expect(two.results).toHaveLength(1);
    const joined = await client.moderations.create({ input: "shut up\nyou stupid bitch" });
    expect(two.results[0]).toEqual(joined.results[0]);
  });

  it("refuses image parts with 400 saying images are not supported, in OpenAI's error object", async () => {
    const image = { type: "image_url" as const, image_url: { url: "https://example.com/cat.png" } };
    const error = await failure(client.moderations.create({ model: "omni-moderation-latest", input: [{ type: "text", text: "look" }, image] }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.status).toBe(400);
    expect(error.code).toBe("unsupported_input");
    expect(error.type).toBe("invalid_request_error");
    expect(error.param).toBe("input[1]");
    expect(error.message).toMatch(/images are not supported/);
  });

  it("reports bad input and unknown models with type, param and our code and message", async () => {
    const unknown = await failure(client.moderations.create({ model: "gpt-4o", input: "hello" }));
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect([unknown.code, unknown.type, unknown.param]).toEqual(["model_not_found", "invalid_request_error", "model"]);
    expect(unknown.message).toMatch(/unknown model "gpt-4o"/);
    const empty = await failure(client.moderations.create({ input: ["fine", " "] }));
    expect([empty.status, empty.code, empty.param]).toEqual([400, "empty_input", "input[1]"]);
    const mixed = await failure(client.moderations.create({ input: ["fine", { type: "text", text: "x" }] as never }));
    expect([mixed.status, mixed.code, mixed.param]).toEqual([400, "invalid_request", "input[0]"]);
    const notSentiment = await failure(client.moderations.create({ model: "sentiment", input: "hello" }));
    expect([notSentiment.status, notSentiment.code, notSentiment.type]).toEqual([400, "unsupported_model", "invalid_request_error"]);
    // The raw body: exactly OpenAI's four fields.
    const raw = await SELF.fetch("http://worker/v1/moderations", { method: "POST", headers: { "content-type": "application/json" }, body: '{"input": 7}' });
    expect(raw.status).toBe(400);
    const body = (await raw.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(body.error).toMatchObject({ code: "invalid_request", type: "invalid_request_error", param: "input" });
  });

  it("follows MODERATION_ALIASES and MODERATION_CATEGORIES", async () => {
    const custom = clientWith({ MODERATION_ALIASES: "house-moderator", MODERATION_CATEGORIES: "offensive=violence,hate=harassment" });
    const answer = await custom.moderations.create({ model: "house-moderator", input: ABUSIVE });
    const [result] = answer.results;
    const own = result as unknown as { category_scores: Record<string, number> };
    expect(result!.category_scores.violence).toBe(own.category_scores["offensive"]);
    expect(result!.category_scores.harassment).toBe(own.category_scores["hate"]);
    expect(result!.categories.violence).toBe(true);
    const gone = await failure(custom.moderations.create({ model: "omni-moderation-latest", input: ABUSIVE }));
    expect([gone.status, gone.code]).toEqual([404, "model_not_found"]);

    const plain = await clientWith({ MODERATION_ALIASES: "", MODERATION_CATEGORIES: "" }).moderations.create({ input: ABUSIVE });
    expect(Object.keys(plain.results[0]!.categories).sort()).toEqual(["hate", "offensive"]);
    expect(plain.results[0]!.categories.harassment).toBeUndefined();

    // Two labels on one OpenAI name: the higher score, flagged when either is.
    const merged = await clientWith({ MODERATION_CATEGORIES: "offensive=harassment,hate=harassment", MODERATION_THRESHOLDS: "hate=0,offensive=1" }).moderations.create({ input: ABUSIVE });
    const both = merged.results[0]!;
    const ownBoth = both as unknown as { categories: Record<string, boolean>; category_scores: Record<string, number> };
    expect(both.category_scores.harassment).toBe(Math.max(ownBoth.category_scores["hate"]!, ownBoth.category_scores["offensive"]!));
    expect([ownBoth.categories["hate"], ownBoth.categories["offensive"], both.categories.harassment]).toEqual([true, false, true]);

    const typo = await failure(clientWith({ MODERATION_CATEGORIES: "offensive=harrasment" }).moderations.create({ input: ABUSIVE }));
    expect(typo).toBeInstanceOf(OpenAI.InternalServerError);
    expect([typo.code, typo.type]).toEqual(["config_error", "server_error"]);
    expect(typo.message).toMatch(/harrasment/);
    const clash = await failure(clientWith({ MODERATION_CATEGORIES: "offensive=hate" }).moderations.create({ input: ABUSIVE }));
    expect([clash.status, clash.code]).toEqual([500, "config_error"]);
  });
});

describe("openai SDK: models.list", () => {
  it("lists every model as an OpenAI model object, with our fields kept", async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((m) => m.id).sort()).toEqual(["moderation", "ner", "sentiment"]);
    for (const model of models) {
      expect(model).toMatchObject({ object: "model", created: expect.any(Number), owned_by: "albert-edge" });
      expect(model).toHaveProperty("labels");
      expect(model).toHaveProperty("version");
    }
    expect(models.find((m) => m.id === "moderation")).toMatchObject({
      task: "multi_label_classification",
      aliases: ["omni-moderation-latest", "text-moderation-latest", "text-moderation-stable"],
    });
    expect(models.find((m) => m.id === "sentiment")).not.toHaveProperty("aliases");
  });

  it("answers auth failures and wrong methods with OpenAI's error object", async () => {
    const denied = await failure(clientWith({ API_KEY: "the-right-key" }, "a-wrong-key").models.list());
    expect(denied).toBeInstanceOf(OpenAI.AuthenticationError);
    expect([denied.code, denied.type, denied.param]).toEqual(["unauthorized", "authentication_error", null]);
    expect(denied.error).toMatchObject({ message: "invalid API key" });
    const allowed = await clientWith({ API_KEY: "the-right-key" }, "the-right-key").models.list();
    expect(allowed.data.length).toBe(3);
    const post = await SELF.fetch("http://worker/v1/models", { method: "POST" });
    expect(post.status).toBe(405);
    expect(((await post.json()) as { error: unknown }).error).toMatchObject({ code: "method_not_allowed", type: "invalid_request_error", param: null });
  });

  it("keeps our plain envelope on the other routes", async () => {
    const response = await SELF.fetch("http://worker/v1/classify", { method: "POST", headers: { "content-type": "application/json" }, body: '{"input": 7}' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: "invalid_request", message: expect.any(String) } });
  });
});
