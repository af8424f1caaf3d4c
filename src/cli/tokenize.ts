/**
 * @module cli/tokenize
 * `albert-edge tokenize --model <dir> [--max-length N] [--pieces] [--offsets]`
 * JSONL `{"text"}` on stdin → JSONL `{"ids": [...]}` on stdout (ids include [CLS] and [SEP]),
 * one line per input line, in order; lines end at `\n` only; blank lines are skipped, empty text
 * is refused. No truncation unless
 * `--max-length N` (then `"truncated": true|false` is added); `--pieces` adds the pieces;
 * `--offsets` adds each id's `[start, end)` in UTF-16 code units of `text` (null for [CLS]/[SEP]).
 *
 * A line that is not JSON or has no string "text" stops the run: the lines before it are
 * already written, the error names the line number on stderr, and the exit code is 1 (the
 * same contract as `classify`). Usage errors exit 2.
 *
 * `<dir>` is either a converted shard directory (`manifest.json`: the `tokenizer` shard,
 * verified against its sha256, and the manifest's lowercase / keep_accents settings) or a
 * directory holding `spiece.model` and optionally a Hugging Face `tokenizer_config.json`
 * (`do_lower_case`, default true; `keep_accents`, default false).
 */
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { parseArgs } from "node:util";
import { parseTokenizerConfig } from "../convert/hf-config.ts";
import { readManifest, readShard } from "../model/shard-source.ts";
import { fsShardSource } from "../node/fs-shard-source.ts";
import { AlbertTokenizer, TokenizerError } from "../tokenizer/index.ts";
import { InputLineError, LineWriter, readLines, readTexts } from "./jsonl.ts";

export { InputLineError } from "./jsonl.ts";

const usage = "usage: albert-edge tokenize --model <dir> [--max-length N] [--pieces] [--offsets] < in.jsonl > out.jsonl\n";

/** Streams the command talks to (injectable for tests). */
export interface TokenizeIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** Where the tokenizer came from and with which settings. */
export interface TokenizerSource {
  model: Uint8Array;
  lowercase: boolean;
  keepAccents: boolean;
  /** Human-readable origin, for messages. */
  origin: string;
}

export async function run(argv: string[], io: TokenizeIo = process): Promise<number> {
  let values: { model?: string; "max-length"?: string; pieces?: boolean; offsets?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { model: { type: "string" }, "max-length": { type: "string" }, pieces: { type: "boolean" }, offsets: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    io.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
    return 2;
  }
  if (values.help === true) {
    io.stdout.write(usage);
    return 0;
  }
  const dir = values.model;
  if (dir === undefined) {
    io.stderr.write(`--model <dir> is required\n${usage}`);
    return 2;
  }
  let maxLength: number | undefined;
  if (values["max-length"] !== undefined) {
    maxLength = Number(values["max-length"]);
    if (!Number.isInteger(maxLength) || maxLength < 2) {
      io.stderr.write(`--max-length must be an integer >= 2 (room for [CLS] and [SEP])\n${usage}`);
      return 2;
    }
  }
  const withPieces = values.pieces === true;
  const withOffsets = values.offsets === true;

  let tokenizer: AlbertTokenizer;
  try {
    const source = await loadTokenizerSource(dir);
    tokenizer = AlbertTokenizer.fromModel(source.model, { lowercase: source.lowercase, keepAccents: source.keepAccents });
  } catch (e) {
    io.stderr.write(`albert-edge tokenize: cannot load a tokenizer from ${dir}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }

  const out = new LineWriter(io.stdout);
  try {
    await tokenizeLines(tokenizer, readLines(io.stdin), (line) => out.write(line), { maxLength, withPieces, withOffsets });
  } catch (e) {
    await out.flush();
    if (e instanceof InputLineError) {
      io.stderr.write(`albert-edge tokenize: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  await out.flush();
  return 0;
}

/** Tokenizes JSONL lines; calls `emit` with each output line (newline included). */
export async function tokenizeLines(
  tokenizer: AlbertTokenizer,
  lines: AsyncIterable<string> | Iterable<string>,
  emit: (line: string) => void | Promise<void>,
  options: { maxLength?: number | undefined; withPieces?: boolean; withOffsets?: boolean } = {},
): Promise<void> {
  for await (const { text, line: n } of readTexts(lines)) {
    let encoding;
    try {
      encoding = tokenizer.encode(text, {
        ...(options.maxLength === undefined ? {} : { maxLength: options.maxLength }),
        offsets: options.withOffsets === true ? "eager" : "lazy",
      });
    } catch (e) {
      if (e instanceof TokenizerError) throw new InputLineError(`stdin line ${n}: ${e.message}`);
      throw e;
    }
    const record: { ids: number[]; truncated?: boolean; pieces?: string[]; offsets?: ([number, number] | null)[] } = { ids: encoding.ids };
    if (options.maxLength !== undefined) record.truncated = encoding.truncated;
    if (options.withPieces === true) record.pieces = encoding.pieces;
    if (options.withOffsets === true) record.offsets = encoding.offsets;
    await emit(JSON.stringify(record) + "\n");
  }
}

/**
 * Finds the tokenizer in `dir`: a shard directory's manifest first, else `spiece.model`
 * (+ `tokenizer_config.json`). Further layouts slot in here.
 */
export async function loadTokenizerSource(dir: string): Promise<TokenizerSource> {
  if (await exists(join(dir, "manifest.json"))) {
    const source = fsShardSource(dir);
    const manifest = await readManifest(source);
    const model = await readShard(source, manifest, "tokenizer");
    return {
      model,
      lowercase: manifest.tokenizer.lowercase,
      keepAccents: manifest.tokenizer.keep_accents,
      origin: `${join(dir, "manifest.json")} (model ${manifest.id})`,
    };
  }
  const modelPath = join(dir, "spiece.model");
  if (!(await exists(modelPath))) throw new Error(`neither manifest.json nor spiece.model found`);
  const model = new Uint8Array(await readFile(modelPath));
  const configPath = join(dir, "tokenizer_config.json");
  let settings = { lowercase: true, keepAccents: false };
  if (await exists(configPath)) {
    let config: unknown;
    try {
      config = JSON.parse(await readFile(configPath, "utf8"));
    } catch (e) {
      throw new Error(`${configPath}: invalid JSON (${(e as Error).message})`);
    }
    settings = parseTokenizerConfig(config, configPath);
  }
  const { lowercase, keepAccents } = settings;
  return { model, lowercase, keepAccents, origin: modelPath };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
