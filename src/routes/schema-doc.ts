/**
 * @module routes/schema-doc
 * How a valibot schema is documented in `GET /openapi.json` (`hono-openapi` reads valibot's
 * `description` and `metadata` actions): a named component (`named`: `$ref`
 * `#/components/schemas/<Name>`), a description (`described`), and integers (`Int`).
 * Free of the app's types, so that Node-side tests can import the request schemas.
 */
import * as v from "valibot";

/** `schema` as the component `ref` of the document (with `description` when given). */
export function named<S extends v.GenericSchema>(schema: S, ref: string, description?: string) {
  return description === undefined ? v.pipe(schema, v.metadata({ ref })) : v.pipe(schema, v.description(description), v.metadata({ ref }));
}

/** `schema` documented with `description`. */
export function described<S extends v.GenericSchema>(schema: S, description: string) {
  return v.pipe(schema, v.description(description));
}

/** An integer (`type: integer` in the document). */
export const Int = v.pipe(v.number(), v.integer());
