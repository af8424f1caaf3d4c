/**
 * @module cli
 * The `albert-edge` command (Node only): dispatches to one file per subcommand under `src/cli/`.
 */
const commands: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  convert: () => import("./cli/convert.ts"),
  tokenize: () => import("./cli/tokenize.ts"),
  classify: () => import("./cli/classify.ts"),
  qa: () => import("./cli/qa.ts"),
  embed: () => import("./cli/embed.ts"),
  "early-exit": () => import("./cli/early-exit.ts"),
  thresholds: () => import("./cli/thresholds.ts"),
  key: () => import("./cli/key.ts"),
};

const usage = `usage: albert-edge <command> [options]   (albert-edge <command> --help for its options)

commands:
  convert <hf-checkpoint-dir> <out-dir>   HF ALBERT checkpoint -> int8 ONNX shards + manifest.json
  tokenize --model <dir>                  JSONL {"text"} on stdin -> JSONL {"ids"} on stdout
  classify --model <shard-dir>            JSONL {"text"[, "text_pair"]} -> {"label","score","logits"};
                                          token classifiers -> {"ids","offsets","token_logits","entities"}
  qa --model <shard-dir>                  JSONL {"question","context"} -> {"answer","score","start","end",...}
  embed --model <shard-dir>               JSONL {"text"} -> JSONL {"embedding"}
  early-exit <shard-dir> --patience N|--off   sets a classifier's adaptive depth in its manifest
  thresholds <shard-dir> <label=T,...>|--off  sets a multi-label model's per-label thresholds
  key [--id <key id>] [--json]            a new random API key and its API_KEYS entry (sha256)
`;

export {};

const [name, ...rest] = process.argv.slice(2);
const load = name === undefined ? undefined : commands[name];
if (load === undefined) {
  process.stderr.write(name === undefined || name === "--help" || name === "-h" ? usage : `unknown command: ${name}\n\n${usage}`);
  process.exitCode = name === undefined || name === "--help" || name === "-h" ? 0 : 2;
} else {
  try {
    const command = await load();
    process.exitCode = await command.run(rest);
  } catch (error) {
    process.stderr.write(`albert-edge ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
