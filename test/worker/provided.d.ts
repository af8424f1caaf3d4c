/** Values the Node-side global setup (global-setup.ts) provides to the workerd tests. */
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    tokenizerCases: { text: string; ids: number[] }[];
    classifyCases: { text: string; label: string; score: number; logits: number[] }[];
    /** The default NER model's entities for a few sentences, from `albert-edge classify` in Node. */
    entityCases: { text: string; entities: { label: string; score: number; start: number; end: number; text: string }[] }[];
  }
}
