/**
 * Node-side setup for the workerd tests: picks golden cases from ../shared/golden and runs the
 * real `albert-edge classify` CLI (Node) on the shipped shards, so the Worker's answers can be
 * compared with the CLI's in workerd. Values reach the tests through vitest's `provide`/`inject`.
 * Without ../shared both case lists are empty, and the tests that compare with them skip
 * (test/support/shared-check.ts says why, once).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { goldenDir, repoRoot as root } from "../support/paths.ts";

const golden = (name: string) => resolve(goldenDir, name);

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

/** Every `step`-th item, so the cases spread over the whole file (SST-2 and long IMDB reviews). */
function spread<T>(items: T[], count: number): T[] {
  const step = Math.max(1, Math.floor(items.length / count));
  return items.filter((_, i) => i % step === 0).slice(0, count);
}

/** Sentences for the default NER model: `albert-edge classify` answers them in Node (no ../shared needed). */
const ENTITY_TEXTS = [
  "Alan Shearer scored twice for Newcastle United in London on Saturday.",
  "EU rejects German call to boycott British lamb.",
  "Peter Blackburn reported from BRUSSELS for Reuters.",
  "The European Commission said on Thursday it disagreed with German advice to consumers.",
  "Japan began the defence of their Asian Cup title with a lucky 2-1 win against Syria.",
];

function entityCases(): { text: string; entities: { label: string; score: number; start: number; end: number; text: string }[] }[] {
  const cli = spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", "src/cli.ts", "classify", "--model", "model-shards/ner"], {
    cwd: root,
    input: ENTITY_TEXTS.map((text) => JSON.stringify({ text })).join("\n") + "\n",
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (cli.status !== 0) throw new Error(`albert-edge classify (ner) failed (${cli.status}): ${cli.stderr}`);
  const lines = cli.stdout.split("\n").filter((line) => line.trim() !== "");
  return lines.map((line, i) => ({ text: ENTITY_TEXTS[i]!, entities: (JSON.parse(line) as { entities: { label: string; score: number; start: number; end: number; text: string }[] }).entities }));
}

export default function setup(project: TestProject): void {
  project.provide("entityCases", entityCases());
  const tokenizerGolden = golden("tokenizer.jsonl");
  const classifyGolden = golden("albert-sst2-mini.logits.jsonl");
  if (!existsSync(tokenizerGolden) || !existsSync(classifyGolden)) {
    project.provide("tokenizerCases", []);
    project.provide("classifyCases", []);
    return;
  }
  const tokenizerCases = readJsonl<{ text: string; ids: number[] }>(tokenizerGolden);
  project.provide("tokenizerCases", [...tokenizerCases.slice(0, 12), ...spread(tokenizerCases.slice(12), 20)]);

  const texts = spread(readJsonl<{ text: string }>(classifyGolden), 30).map((c) => c.text);
  const cli = spawnSync(
    process.execPath,
    ["--experimental-strip-types", "--no-warnings", "src/cli.ts", "classify", "--model", "model-shards/sentiment"],
    { cwd: root, input: texts.map((text) => JSON.stringify({ text })).join("\n") + "\n", encoding: "utf8", maxBuffer: 64 << 20 },
  );
  if (cli.status !== 0) throw new Error(`albert-edge classify failed (${cli.status}): ${cli.stderr}`);
  const outputs = cli.stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { label: string; score: number; logits: number[] });
  if (outputs.length !== texts.length) throw new Error(`classify gave ${outputs.length} lines for ${texts.length} texts`);
  project.provide(
    "classifyCases",
    texts.map((text, i) => ({ text, ...outputs[i]! })),
  );
}
