/**
 * @module env
 * The Hono environment type shared by the app, routes and middleware: the Worker's bindings
 * (src/bindings.ts) and the per-request variables. It imports only types from modules that do not
 * import it back (the module graph has no cycles: test/unit/package/import-graph.test.ts).
 */
import type { TimingVariables } from "hono/timing";
import type { Bindings } from "./bindings.ts";
import type { CacheSource, ResultCache } from "./cache/result-cache.ts";
import type { ServiceConfig } from "./config.ts";
import type { SentimentTag } from "./middleware/sentiment.ts";
import type { ModelRegistry } from "./worker/model-registry.ts";

export type { Bindings } from "./bindings.ts";

/** What a request used (model, tokens, cache), recorded by routes for `x-usage-tokens` and the request log. */
export interface Usage {
  /** `<model id>@<version>`. */
  model: string;
  /** Texts in the request. */
  inputs: number;
  /** Tokens of all inputs, as the model counts them ([CLS]/[SEP] included, after truncation). */
  tokens: number;
  /** The request's cache outcome (`x-cache`); null where no cache is involved. */
  cache: CacheSource | null;
}

/** Per-request variables set by middleware. */
export interface Variables extends TimingVariables {
  requestId: string;
  config: ServiceConfig;
  registry: ModelRegistry;
  cache: ResultCache<unknown>;
  /** The id of the API key the request authenticated with (never the key); unset when the API is open. */
  keyId?: string;
  /** What the request used (model, tokens, cache), for `x-usage-tokens` and the request log. */
  usage?: Usage;
  /** Set by the sentiment middleware (proxy mode). */
  sentiment: SentimentTag;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
