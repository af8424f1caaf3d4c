/**
 * @module convert/hf-config
 * Reads a Hugging Face ALBERT `config.json` (with AlbertConfig's defaults for absent fields)
 * and `tokenizer_config.json`, validating what the converter relies on.
 */
import { HIDDEN_ACTS, type HiddenAct, type ModelConfig } from "../model/manifest.ts";
import { ConvertError } from "./errors.ts";

export interface HfConfig {
  model: ModelConfig;
  architectures: string[];
  /** id2label as an array when present and dense (0..n-1), else undefined. */
  id2label: string[] | undefined;
  problemType: string | undefined;
  /**
   * `case_token_types: true` (an albert-edge key, written by training/finetune_ner.py --case-types):
   * the model was trained with capitalisation in its token types; the manifest says so.
   */
  caseTokenTypes: boolean;
}

/** transformers.AlbertConfig defaults (albert-xxlarge shaped). */
const DEFAULTS = {
  vocab_size: 30000,
  embedding_size: 128,
  hidden_size: 4096,
  num_hidden_layers: 12,
  num_hidden_groups: 1,
  num_attention_heads: 64,
  intermediate_size: 16384,
  inner_group_num: 1,
  hidden_act: "gelu_new",
  max_position_embeddings: 512,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
};

function intField(raw: Record<string, unknown>, file: string, key: keyof typeof DEFAULTS): number {
  const v = raw[key] ?? DEFAULTS[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new ConvertError(`${file}: "${key}" must be a positive integer (got ${JSON.stringify(v)})`);
  return v;
}

export function parseHfConfig(raw: unknown, file: string): HfConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ConvertError(`${file}: must be a JSON object`);
  const c = raw as Record<string, unknown>;
  if (c.model_type !== "albert") {
    throw new ConvertError(`${file}: unknown model_type ${JSON.stringify(c.model_type)} (only "albert" is supported)`);
  }
  const act = c.hidden_act ?? DEFAULTS.hidden_act;
  if (typeof act !== "string" || !(HIDDEN_ACTS as readonly string[]).includes(act)) {
    throw new ConvertError(`${file}: unsupported hidden_act ${JSON.stringify(act)} (supported: ${HIDDEN_ACTS.join(", ")})`);
  }
  if (c.position_embedding_type !== undefined && c.position_embedding_type !== "absolute") {
    throw new ConvertError(`${file}: unsupported position_embedding_type ${JSON.stringify(c.position_embedding_type)} (only "absolute")`);
  }
  const eps = c.layer_norm_eps ?? DEFAULTS.layer_norm_eps;
  if (typeof eps !== "number" || !(eps > 0)) throw new ConvertError(`${file}: "layer_norm_eps" must be a positive number`);
  const model: ModelConfig = {
    vocab_size: intField(c, file, "vocab_size"),
    embedding_size: intField(c, file, "embedding_size"),
    hidden_size: intField(c, file, "hidden_size"),
    num_attention_heads: intField(c, file, "num_attention_heads"),
    intermediate_size: intField(c, file, "intermediate_size"),
    num_hidden_layers: intField(c, file, "num_hidden_layers"),
    num_hidden_groups: intField(c, file, "num_hidden_groups"),
    inner_group_num: intField(c, file, "inner_group_num"),
    hidden_act: act as HiddenAct,
    layer_norm_eps: eps,
    max_position_embeddings: intField(c, file, "max_position_embeddings"),
    type_vocab_size: intField(c, file, "type_vocab_size"),
  };
  if (model.hidden_size % model.num_attention_heads !== 0) {
    throw new ConvertError(`${file}: hidden_size ${model.hidden_size} is not divisible by num_attention_heads ${model.num_attention_heads}`);
  }
  if (model.num_hidden_groups > model.num_hidden_layers) {
    throw new ConvertError(`${file}: num_hidden_groups ${model.num_hidden_groups} exceeds num_hidden_layers ${model.num_hidden_layers}`);
  }
  const architectures = Array.isArray(c.architectures) ? c.architectures.filter((a): a is string => typeof a === "string") : [];
  let id2label: string[] | undefined;
  if (typeof c.id2label === "object" && c.id2label !== null) {
    const entries = Object.entries(c.id2label as Record<string, unknown>);
    const labels: string[] = [];
    for (const [k, v] of entries) {
      const i = Number(k);
      if (!Number.isInteger(i) || i < 0 || i >= entries.length || typeof v !== "string") {
        throw new ConvertError(`${file}: id2label must map 0..n-1 to strings (bad entry ${JSON.stringify(k)})`);
      }
      labels[i] = v;
    }
    if (new Set(labels).size !== labels.length) throw new ConvertError(`${file}: id2label names must be unique`);
    id2label = labels;
  }
  const problemType = typeof c.problem_type === "string" ? c.problem_type : undefined;
  if (problemType !== undefined && !["single_label_classification", "multi_label_classification", "regression"].includes(problemType)) {
    throw new ConvertError(`${file}: unknown problem_type ${JSON.stringify(problemType)}`);
  }
  if (problemType === "regression") throw new ConvertError(`${file}: problem_type "regression" is not supported (classification only)`);
  const caseTokenTypes = c.case_token_types ?? false;
  if (typeof caseTokenTypes !== "boolean") throw new ConvertError(`${file}: "case_token_types" must be a boolean`);
  if (caseTokenTypes && model.type_vocab_size < 2) throw new ConvertError(`${file}: "case_token_types" needs type_vocab_size >= 2`);
  return { model, architectures, id2label, problemType, caseTokenTypes };
}

export interface HfTokenizerConfig {
  lowercase: boolean;
  keepAccents: boolean;
}

/** tokenizer_config.json: do_lower_case (default true), keep_accents (default false). */
export function parseTokenizerConfig(raw: unknown, file: string): HfTokenizerConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ConvertError(`${file}: must be a JSON object`);
  const c = raw as Record<string, unknown>;
  const lower = c.do_lower_case ?? true;
  const accents = c.keep_accents ?? false;
  if (typeof lower !== "boolean") throw new ConvertError(`${file}: "do_lower_case" must be a boolean`);
  if (typeof accents !== "boolean") throw new ConvertError(`${file}: "keep_accents" must be a boolean`);
  return { lowercase: lower, keepAccents: accents };
}
