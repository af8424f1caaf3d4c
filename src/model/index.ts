/**
 * @module model
 * Public runtime API (Node and workerd): `loadModel(source, {engine})` binds the exact ALBERT
 * tokenizer (src/tokenizer) to `createModel`. Shard sources and engines are injected: in Node
 * `src/node/` (files, compiled kernels, or onnxruntime from src/ort), in the Worker the ASSETS
 * binding and the kernels imported as a module.
 */
import { AlbertTokenizer } from "../tokenizer/index.ts";
import type { Engine } from "./engine.ts";
import type { Manifest } from "./manifest.ts";
import { createModel, type AlbertModel, type ModelOptions } from "./model.ts";
import type { ShardSource } from "./shard-source.ts";
import { tokenizerOptions, type TokenizerFactory } from "./tokenizer.ts";

export type { AlbertModel, ClassifyInput, ClassifyResult, EmbedOptions, EmbedResult, EncodedSequence, LoadedModel, LoadTimings, ModelOptions, PreparedInput, PrepareOptions, Results, RunOutputs, StageTimings } from "./model.ts";
export type { Engine, EngineRunner, ForwardOptions, SequenceOutput, ShardBytes } from "./engine.ts";
export { exitCutoffs, ExitTracker, type ExitCutoffs } from "./early-exit.ts";
export type { EarlyExit, Manifest, ModelConfig, Pooling, ShardEntry, ShardRole, Task, TokenizerSettings } from "./manifest.ts";
export { isSequenceClassification, tokenColumns } from "./manifest.ts";
export type { ShardSource } from "./shard-source.ts";
export type { ModelTokenizer, Encoding, EncodeOptions as TokenizerEncodeOptions, Offset, Tokens } from "./tokenizer.ts";
export { ManifestError, parseManifest, MAX_SHARD_BYTES } from "./manifest.ts";
export { ShardIntegrityError, readManifest } from "./shard-source.ts";
export { createModel } from "./model.ts";

/** The default tokenizer factory: exact ALBERT SentencePiece tokenization per the manifest. */
export const albertTokenizerFactory: TokenizerFactory = (spiece, settings) =>
  AlbertTokenizer.fromModel(spiece, tokenizerOptions(settings));

/** Loads a converted model from its shards (manifest.json first), verifying every file. */
export function loadModel(source: ShardSource, options: ModelOptions & { engine: Engine; manifest?: Manifest }): Promise<AlbertModel> {
  return createModel(source, { ...options, tokenizer: albertTokenizerFactory });
}
