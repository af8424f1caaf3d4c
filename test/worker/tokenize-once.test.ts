/**
 * @module test/worker/tokenize-once
 * The cached runner prepares each missing input once: the tokens it counts for the work budget
 * are the encodings that then run (classify, embed), so a request tokenizes every text exactly
 * once; cached inputs are not tokenized at all; past the budget nothing runs. The shipped
 * `sentiment` model in workerd (ASSETS, the Worker's engine), its tokenizer wrapped to count
 * `encode` calls and its engine runner to count runs.
 */
import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResultCache } from "../../src/cache/result-cache.ts";
import { ApiError } from "../../src/errors.ts";
import { albertTokenizerFactory, createModel, type AlbertModel } from "../../src/model/index.ts";
import { classifyTexts } from "../../src/services/classify.ts";
import { embedTexts } from "../../src/services/embed.ts";
import type { RunDeps } from "../../src/services/cached-run.ts";
import type { ModelRegistry } from "../../src/worker/model-registry.ts";
import { assetsSource } from "../../src/worker/assets-source.ts";
import { workerEngine } from "../../src/worker/engine.ts";

let encodes = 0;
let engineRuns = 0;
let model: AlbertModel;
const policy = { read: true, write: true };

function deps(maxTokens?: number): RunDeps {
  const registry = { manifest: async () => model.manifest, model: async () => model } as unknown as ModelRegistry;
  return { registry, cache: new ResultCache<unknown>(undefined, { maxEntries: 100, maxBytes: 1 << 20, ttlSeconds: 60 }), defer: () => {}, ...(maxTokens === undefined ? {} : { maxTokens }) };
}

beforeAll(async () => {
  const engine = workerEngine;
  model = await createModel(assetsSource(env.ASSETS, "sentiment"), {
    engine: {
      name: engine.name,
      async load(manifest, shards) {
        const runner = await engine.load(manifest, shards);
        const forwardMany = runner.forwardMany;
        return {
          description: runner.description,
          forward: (...args) => (engineRuns++, runner.forward(...args)),
          dispose: () => runner.dispose(),
          ...(forwardMany === undefined ? {} : { forwardMany: (...args: Parameters<typeof forwardMany>) => (engineRuns++, forwardMany.apply(runner, args)) }),
        };
      },
    },
    tokenizer: async (spiece, settings) => {
      const t = await albertTokenizerFactory(spiece, settings);
      return { clsId: t.clsId, sepId: t.sepId, tokenize: (text) => t.tokenize(text), encode: (text, options) => (encodes++, t.encode(text, options)) };
    },
  });
}, 60_000);
afterAll(async () => model?.dispose());

describe("one tokenization per input", () => {
  it("classify: three texts, three encodes; the same texts again come from the cache with none", async () => {
    const d = deps();
    const texts = ["a gripping, beautiful film", "dull and far too long", { text: "is it good?", text_pair: "it is wonderful" }];
    encodes = 0;
    const first = await classifyTexts(d, "sentiment", texts, policy);
    expect(encodes).toBe(3);
    expect(first.items.map((i) => i.cache)).toEqual(["miss", "miss", "miss"]);
    encodes = 0;
    const again = await classifyTexts(d, "sentiment", texts, policy);
    expect(encodes).toBe(0);
    expect(again.items.map((i) => i.result)).toEqual(first.items.map((i) => i.result));
  });

  it("embed: one encode per text", async () => {
    encodes = 0;
    const out = await embedTexts(deps(), "sentiment", ["one text", "and another one"], policy);
    expect(encodes).toBe(2);
    expect(out.items[0]!.result.embedding).toHaveLength(model.manifest.config.hidden_size);
  });

  it("past the work budget: 413 too_much_work after counting, and the model never runs", async () => {
    encodes = 0;
    engineRuns = 0;
    const p = classifyTexts(deps(10), "sentiment", ["a sentence that is certainly longer than ten tokens in all, surely"], policy);
    await expect(p).rejects.toThrow(ApiError);
    await expect(p).rejects.toMatchObject({ status: 413, code: "too_much_work" });
    expect(encodes).toBe(1);
    expect(engineRuns).toBe(0);
    await classifyTexts(deps(100), "sentiment", ["a sentence that is certainly longer than ten tokens in all, surely"], policy);
    expect(engineRuns).toBe(1);
  });
});
