/**
 * `GET /openapi.json`'s document, built from the app itself: valid OpenAPI 3.1 (checked by an
 * OpenAPI validator, every `$ref` resolved), every route the app registers is in it with its method,
 * and every error code of the `ErrorCode` union is in its error schema and named where it is sent.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../../src/errors.ts";

interface Operation {
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}
interface Document {
  openapi: string;
  info: { description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { enum?: string[]; properties?: Record<string, unknown> }> };
}

interface App {
  routes: { method: string; path: string }[];
}

/**
 * The Worker's modules, imported by URL: this file runs in Node (the validator reads its schemas from
 * disk, which workerd cannot), and the Node type-check does not include the Worker's types.
 */
async function workerModule<T>(path: string): Promise<T> {
  return (await import(new URL(path, import.meta.url).href)) as T;
}

const { createApp } = await workerModule<{ createApp: () => App }>("../../../src/app.ts");
const { openAPIDocument } = await workerModule<{ openAPIDocument: (app: App) => unknown }>("../../../src/routes/openapi-document.ts");
const { PROXY_METHODS } = await workerModule<{ PROXY_METHODS: readonly string[] }>("../../../src/routes/proxy-doc.ts");
const app = createApp();
const doc = (await openAPIDocument(app)) as Document;

/** Hono's `/v1/webhooks/:hook` and `/proxy/*` as OpenAPI paths. */
function openAPIPath(path: string): string {
  return path.replace(/:([^/]+)/g, "{$1}").replace(/\/\*$/, "/{path}");
}

/** Does a middleware pattern (`/v1/*`, `/*`, `/v1/models`) cover the documented path? */
function covers(pattern: string, documented: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
  return regex.test(documented.replace(/\{[^}]+\}/g, "x"));
}

describe("GET /openapi.json document", () => {
  it("is valid OpenAPI 3.1 with every $ref resolving", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it("documents every route the app registers, with its method", () => {
    const handlers = app.routes.filter((route) => route.method !== "ALL");
    expect(handlers.length).toBeGreaterThan(6);
    for (const route of handlers) {
      const path = openAPIPath(route.path);
      expect(doc.paths[path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    }
    // `ALL` entries are either a route for every method (the proxy) or middleware over documented routes.
    for (const route of app.routes.filter((r) => r.method === "ALL")) {
      const path = openAPIPath(route.path);
      const item = doc.paths[path];
      if (item !== undefined && PROXY_METHODS.every((method) => item[method] !== undefined)) continue;
      expect(Object.keys(doc.paths).some((documented) => covers(route.path, documented)), `ALL ${route.path}`).toBe(true);
    }
    expect(Object.keys(doc.paths["/proxy/{path}"] ?? {}).sort()).toEqual([...PROXY_METHODS].sort());
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((operation) => (operation as { operationId?: string }).operationId));
    expect(ids.every((id) => typeof id === "string" && id !== "")).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // And nothing is documented that the app does not serve.
    const served = new Set(handlers.map((route) => `${route.method.toLowerCase()} ${openAPIPath(route.path)}`));
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) {
        if (path === "/proxy/{path}") continue;
        expect(served.has(`${method} ${path}`), `${method} ${path}`).toBe(true);
      }
    }
  });

  it("has every ErrorCode in its error schemas, and names each code where it is answered", () => {
    expect(doc.components.schemas["ErrorCode"]?.enum).toEqual(ERROR_CODES);
    const text = JSON.stringify(doc);
    expect(text).toContain('"code":{"$ref":"#/components/schemas/ErrorCode"}');
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["Error", "OpenAIError"]));
    const named = new Set<string>();
    for (const item of Object.values(doc.paths)) {
      for (const operation of Object.values(item)) {
        const statuses = Object.keys(operation.responses);
        expect(statuses.some((status) => Number(status) >= 400)).toBe(true);
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const [, code] of response.description.matchAll(/`([a-z_]+)`/g)) {
            if (Number(status) >= 400) named.add(code!);
          }
        }
      }
    }
    for (const code of named) expect(ERROR_CODES).toContain(code);
    // The two codes no operation answers (no route, or not its method) are in the document's description.
    const unnamed = ERROR_CODES.filter((code) => !named.has(code));
    expect(unnamed.sort()).toEqual(["method_not_allowed"]);
    for (const code of unnamed) expect(doc.info.description).toContain(`\`${code}\``);
  });

  it("describes the request bodies by the schemas that validate them", () => {
    const body = (path: string) => JSON.stringify((doc.paths[path]!["post"] as unknown as { requestBody: unknown }).requestBody);
    expect(body("/v1/classify")).toContain("#/components/schemas/ClassifyRequest");
    expect(body("/v1/tokenize")).toContain("#/components/schemas/TextRequest");
    expect(body("/v1/moderations")).toContain("#/components/schemas/ModerationRequest");
    const text = doc.components.schemas["TextRequest"] as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(text.properties)).toEqual(["model", "input"]);
    expect(text.required).toEqual(["input"]);
    // TextRequest's fields, with `input` widened to sentence pairs, and `full_depth`.
    const classify = doc.components.schemas["ClassifyRequest"] as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(classify.properties)).toEqual(["model", "input", "full_depth"]);
    expect(classify.required).toEqual(["input"]);
    expect(classify.properties["model"]).toEqual(text.properties["model"]);
    expect(classify.properties["input"]).toEqual(expect.objectContaining({ anyOf: expect.any(Array) }));
    expect(classify.properties["full_depth"]).toEqual(expect.objectContaining({ type: "boolean" }));
    expect(JSON.stringify(doc.components.schemas["ClassifyRequest"])).toContain("#/components/schemas/TextPair");
    expect(body("/v1/entities")).toContain("#/components/schemas/EntitiesRequest");
    expect(body("/v1/qa")).toContain("#/components/schemas/QaRequest");
    expect(body("/v1/embeddings")).toContain("#/components/schemas/EmbeddingsRequest");
  });
});
