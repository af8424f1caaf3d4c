/**
 * @module cli/thresholds
 * `albert-edge thresholds <shard-dir> <label=T,...> | --off`
 * Sets (or removes) a multi-label model's per-label decision thresholds in its manifest, without
 * the checkpoint: moderation flags and the early-exit rule read them (a label is on when its
 * score is ≥ its threshold; labels not given: 0.5). Choose them on held-out data, never on the
 * set you report (training/eval_shards.py --tune-thresholds does it on the selection split).
 * Exit 0 on success, 1 when the directory or model cannot take it, 2 on bad usage.
 */
import { parseLabelThresholds } from "./label-thresholds.ts";
import { runManifestSetting } from "./manifest-setting.ts";

export function run(argv: string[]): Promise<number> {
  return runManifestSetting<Record<string, number> | undefined>(argv, {
    name: "thresholds",
    usage: "usage: albert-edge thresholds <shard-dir> <label=T,...> | --off   (0 <= T <= 1)\n",
    options: { off: { type: "boolean" } },
    parse(values, args) {
      if (args.length > 1) return { usage: "one <shard-dir> and at most one threshold list are required" };
      const [spec] = args;
      if ((spec === undefined) === (values.off !== true)) return { usage: "give either <label=T,...> or --off" };
      try {
        return { value: spec === undefined ? undefined : parseLabelThresholds(spec) };
      } catch (e) {
        return { usage: e instanceof Error ? e.message : String(e) };
      }
    },
    refuse: (m) => (m.task === "multi_label_classification" ? undefined : `model ${m.id} is a ${m.task} model; thresholds are for multi-label classifiers`),
    apply(manifest, thresholds) {
      const { thresholds: _previous, shards, ...rest } = manifest;
      const what = thresholds === undefined ? "thresholds removed (0.5)" : `thresholds ${Object.entries(thresholds).map(([l, t]) => `${l}=${t}`).join(", ")}`;
      return { next: { ...rest, ...(thresholds === undefined ? {} : { thresholds }), shards }, what };
    },
  });
}
