/** Values the Node-side global setup (global-setup.ts) provides to the workerd tests. */
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    tokenizerCases: { text: string; ids: number[] }[];
    classifyCases: { text: string; label: string; score: number; logits: number[] }[];
  }
}
