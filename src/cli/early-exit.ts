/**
 * @module cli/early-exit
 * `albert-edge early-exit <shard-dir> --patience N | --off`
 * Sets (or removes) the manifest's adaptive-depth setting on converted shards, without the
 * checkpoint: `early_exit.patience` for a sequence classifier, and the content version that
 * depends on it (cache keys change with it). Measure first: `albert-edge classify --patience N`
 * gives each setting's answers and `layers`. The shards themselves are not touched.
 * Exit 0 on success, 1 when the directory or model cannot take it, 2 on bad usage.
 */
import { isSequenceClassification } from "../model/manifest.ts";
import { runManifestSetting } from "./manifest-setting.ts";

export function run(argv: string[]): Promise<number> {
  return runManifestSetting<number | undefined>(argv, {
    name: "early-exit",
    usage: "usage: albert-edge early-exit <shard-dir> --patience N | --off\n",
    options: { patience: { type: "string" }, off: { type: "boolean" } },
    parse(values, args) {
      if (args.length > 0) return { usage: "one <shard-dir> is required" };
      if ((values.patience === undefined) === (values.off !== true)) return { usage: "give either --patience N or --off" };
      const patience = values.patience === undefined ? undefined : Number(values.patience);
      if (patience !== undefined && (!Number.isInteger(patience) || patience < 1)) return { usage: `--patience must be an integer >= 1 (got ${JSON.stringify(values.patience)})` };
      return { value: patience };
    },
    refuse: (m) => (isSequenceClassification(m.task) ? undefined : `model ${m.id} is a ${m.task} model; early exit needs a sequence classifier head`),
    apply(manifest, patience) {
      // The key order a converted manifest has: early_exit after graph, shards last.
      const { early_exit: _previous, shards, ...rest } = manifest;
      return { next: { ...rest, ...(patience === undefined ? {} : { early_exit: { patience } }), shards }, what: `early exit ${patience === undefined ? "off" : `at patience ${patience}`}` };
    },
  });
}
