/**
 * The default NER model (`model-shards/ner`) in the real Worker: `/v1/entities` without a model
 * name picks it (the default model is a classifier), answers what `albert-edge classify` answers
 * in Node (global-setup.ts) entity for entity, with offsets into the caller's text, and finds the
 * people, places and organisations of a plain news sentence.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import type { Entity } from "../../src/heads/index.ts";

const post = (body: unknown) => SELF.fetch("http://worker/v1/entities", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("POST /v1/entities on the default NER model", () => {
  it("answers as albert-edge classify does in Node, offsets into the text", async () => {
    const cases = inject("entityCases");
    expect(cases.length).toBeGreaterThanOrEqual(4);
    const response = await post({ input: cases.map((c) => c.text) });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-model")).toMatch(/^ner@[0-9a-f]{16}$/);
    const body = (await response.json()) as { model: string; results: { entities: Entity[] }[] };
    expect(body.model).toBe("ner");
    body.results.forEach((result, i) => {
      const { text, entities } = cases[i]!;
      expect(result.entities.map(({ label, start, end, text: t }) => ({ label, start, end, text: t }))).toEqual(entities.map(({ label, start, end, text: t }) => ({ label, start, end, text: t })));
      result.entities.forEach((e, k) => {
        expect(e.text).toBe(text.slice(e.start, e.end));
        expect(Math.abs(e.score - entities[k]!.score)).toBeLessThan(1e-5);
      });
    });
  });

  it("finds the person, the club and the city of a news sentence", async () => {
    const text = "Alan Shearer scored twice for Newcastle United in London on Saturday.";
    const body = (await (await post({ input: text })).json()) as { results: { entities: Entity[] }[] };
    const found = body.results[0]!.entities.map((e) => `${e.label}:${e.text}`);
    expect(found).toContain("PER:Alan Shearer");
    expect(found).toContain("LOC:London");
    expect(found.some((f) => f.startsWith("ORG:Newcastle"))).toBe(true);
  });
});
