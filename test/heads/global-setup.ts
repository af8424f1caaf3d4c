/**
 * Node-side setup of the `heads` workerd project: converts the ../shared head fixtures
 * (albert-sst2-mini, -ner-mini, -qa-mini, -embed-mini; int8, the default; plus `sst2-exit`,
 * albert-sst2-mini with early exit at patience 1) into .test-shards/<id>,
 * which test/heads/wrangler.toml serves as static assets, and computes the answers the Worker must
 * give with the same model-level code in Node (our engine), handed to the tests through `provide`.
 * Without ../shared nothing is converted and the tests skip (test/support/shared-check.ts says why).
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { answerQuestions } from "../../src/model/answer.ts";
import { recognizeEntities } from "../../src/model/entities.ts";
import { loadModelDir } from "../../src/node/load-model.ts";
import { readJsonl } from "../support/heads-golden.ts";
import { convertQuietly } from "../support/model-helpers.ts";
import { goldenDir, repoRoot, sharedCheckpoint, sharedPresent } from "../support/paths.ts";

export const FIXTURES = { "sst2-mini": "albert-sst2-mini", "ner-mini": "albert-ner-mini", "qa-mini": "albert-qa-mini", "embed-mini": "albert-embed-mini" } as const;

export default async function setup(project: TestProject): Promise<void> {
  const out = join(repoRoot, ".test-shards");
  mkdirSync(out, { recursive: true });
  if (!sharedPresent()) {
    project.provide("headCases", null);
    return;
  }
  for (const [id, checkpoint] of Object.entries(FIXTURES)) {
    rmSync(join(out, id), { recursive: true, force: true });
    await convertQuietly(sharedCheckpoint(checkpoint), join(out, id), { id });
  }
  rmSync(join(out, "sst2-exit"), { recursive: true, force: true });
  await convertQuietly(sharedCheckpoint("albert-sst2-mini"), join(out, "sst2-exit"), { id: "sst2-exit", earlyExitPatience: 1 });
  const ner = readJsonl<{ text: string }>(join(goldenDir, "albert-ner-mini.jsonl")).slice(0, 8).map((r) => r.text);
  const qa = readJsonl<{ question: string; context: string }>(join(goldenDir, "albert-qa-mini.jsonl")).slice(0, 6).map(({ question, context }) => ({ question, context }));
  const embed = readJsonl<{ text: string }>(join(goldenDir, "albert-embed-mini.jsonl")).slice(0, 4).map((r) => r.text);
  const pairs = readJsonl<{ text: string; text_pair: string }>(join(goldenDir, "albert-sst2-mini.pairs.jsonl")).slice(0, 6).map(({ text, text_pair }) => ({ text, text_pair }));

  const nerModel = await loadModelDir(join(out, "ner-mini"));
  const entities = (await recognizeEntities(nerModel, ner, "simple")).map((r) => r.entities);
  const entitiesBio = (await recognizeEntities(nerModel, ner, "first", "bio")).map((r) => r.entities);
  const qaModel = await loadModelDir(join(out, "qa-mini"));
  const answers = (await answerQuestions(qaModel, qa)).map((r) => r.answers[0]!);
  const embedModel = await loadModelDir(join(out, "embed-mini"));
  const embeddings = (await embedModel.embed(embed)).map((r) => r.embedding);
  const sst2 = await loadModelDir(join(out, "sst2-mini"));
  const pairLabels = (await sst2.classify(pairs)).map((r) => r.label);
  const exitTexts = readJsonl<{ text: string }>(join(goldenDir, "albert-sst2-mini.logits.jsonl")).slice(0, 24).map((r) => r.text);
  const exitModel = await loadModelDir(join(out, "sst2-exit"));
  const exitLayers = (await exitModel.classify(exitTexts)).map((r) => r.layers);
  const fullLabels = (await sst2.classify(exitTexts)).map((r) => r.label);
  for (const m of [nerModel, qaModel, embedModel, sst2, exitModel]) await m.dispose();
  project.provide("headCases", { ner, entities, entitiesBio, qa, answers, embed, embeddings, pairs, pairLabels, exitTexts, exitLayers, fullLabels });
}

