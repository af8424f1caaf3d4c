/**
 * @module cli/model-command
 * What `classify`, `qa` and `embed` share: options parsed with `node:util` parseArgs (`--model`,
 * `--max-length`, `--engine`, plus the command's own), the Hugging Face checkpoint check, loading
 * the shards with the same runtime as the Worker, and streaming JSONL in chunks: one output line
 * per input line, in order; a bad line stops the run after the lines before it are written
 * (exit 1, the line number on stderr); usage errors exit 2.
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { AlbertModel } from "../model/index.ts";
import { ENGINE_NAMES, loadModelDir, type EngineName } from "../node/load-model.ts";
import { InputLineError, LineWriter, readLines, readObjects } from "./jsonl.ts";


/** Inputs handled per model call while streaming. */
const CHUNK = 64;

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface ModelCommand<I> {
  name: string;
  usage: string;
  /** The command's own options (parseArgs form), besides --model, --max-length and --engine. */
  options?: Options;
  /** Checks the command's own option values; a string is a usage error. */
  configure?(values: Record<string, string | boolean | undefined>): string | undefined;
  /** Refuses a model this command cannot use (a message), before any input is read. */
  refuse?(model: AlbertModel): string | undefined;
  /** One input line's object → the command's input (throw InputLineError with the line number). */
  parse(value: Record<string, unknown>, line: number): I;
  /** A chunk of inputs → one JSON output line each, in order. */
  handle(model: AlbertModel, inputs: I[]): Promise<unknown[]>;
}

export async function runModelCommand<I>(argv: string[], command: ModelCommand<I>): Promise<number> {
  const usageError = (message: string): number => {
    process.stderr.write(`${message}\n${command.usage}`);
    return 2;
  };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { model: { type: "string" }, "max-length": { type: "string" }, engine: { type: "string" }, help: { type: "boolean", short: "h" }, ...command.options },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (e) {
    return usageError(e instanceof Error ? e.message : String(e));
  }
  if (values.help === true) {
    process.stdout.write(command.usage);
    return 0;
  }
  const dir = values.model;
  if (typeof dir !== "string") return usageError("--model <shard-dir> is required");
  const engine = values.engine ?? "wasm";
  if (!(ENGINE_NAMES as readonly unknown[]).includes(engine)) return usageError(`--engine must be one of ${ENGINE_NAMES.join(", ")}`);
  let maxLength: number | undefined;
  if (values["max-length"] !== undefined) {
    maxLength = Number(values["max-length"]);
    if (!Number.isInteger(maxLength) || maxLength < 2) return usageError("--max-length must be an integer >= 2 (room for [CLS] and [SEP])");
  }
  const problem = command.configure?.(values);
  if (problem !== undefined) return usageError(problem);
  if (await isCheckpoint(dir)) {
    process.stderr.write(
      `albert-edge ${command.name}: ${dir} is a Hugging Face checkpoint (config.json, no manifest.json), not converted shards; ` +
        `run \`albert-edge convert ${dir} <out-dir>\` first and pass --model <out-dir>\n`,
    );
    return 1;
  }
  const model = await loadModelDir(dir, { engine: engine as EngineName, ...(maxLength === undefined ? {} : { maxLength }) });
  const out = new LineWriter(process.stdout);
  try {
    const refusal = command.refuse?.(model);
    if (refusal !== undefined) {
      process.stderr.write(`albert-edge ${command.name}: ${refusal}\n`);
      return 1;
    }
    const pending: I[] = [];
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const lines = await command.handle(model, pending.splice(0));
      for (const value of lines) await out.write(JSON.stringify(value) + "\n");
    };
    try {
      for await (const { value, line } of readObjects(readLines(process.stdin))) {
        pending.push(command.parse(value, line));
        if (pending.length >= CHUNK) await flush();
      }
      await flush();
    } catch (e) {
      if (!(e instanceof InputLineError)) throw e;
      await flush();
      await out.flush();
      process.stderr.write(`albert-edge ${command.name}: ${e.message}\n`);
      return 1;
    }
  } finally {
    await model.dispose();
  }
  await out.flush();
  return 0;
}

/** A Hugging Face checkpoint directory (config.json) rather than converted shards (manifest.json). */
async function isCheckpoint(dir: string): Promise<boolean> {
  const has = (file: string) => access(join(dir, file)).then(() => true, () => false);
  return !(await has("manifest.json")) && (await has("config.json"));
}
