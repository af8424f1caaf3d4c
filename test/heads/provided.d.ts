/** Values test/heads/global-setup.ts provides to the `heads` workerd tests (null without ../shared). */
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    headCases: {
      ner: string[];
      entities: { label: string; score: number; start: number; end: number; text: string }[][];
      /** The same texts' entities with aggregation first and BIO-constrained decoding. */
      entitiesBio: { label: string; score: number; start: number; end: number; text: string }[][];
      qa: { question: string; context: string }[];
      answers: { answer: string; score: number; start: number; end: number }[];
      embed: string[];
      embeddings: number[][];
      pairs: { text: string; text_pair: string }[];
      pairLabels: string[];
      /** Texts for the early-exit model `sst2-exit`, the layers our engine runs on each in Node, and sst2-mini's labels. */
      exitTexts: string[];
      exitLayers: number[];
      fullLabels: string[];
    } | null;
  }
}
