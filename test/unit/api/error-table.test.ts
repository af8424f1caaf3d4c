/**
 * The README's error table against the `ErrorCode` union, both ways: every code the API can send
 * is in the table under its status, and the table names no code the API does not have.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, ERROR_STATUS } from "../../../src/errors.ts";

const README = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

/** `| 400 | \`a\`, \`b\` | when |` rows of the table headed `| status | code | when |`. */
function readmeErrorTable(): Map<string, number> {
  const lines = README.split("\n");
  const start = lines.findIndex((line) => /^\|\s*status\s*\|\s*code\s*\|\s*when\s*\|$/.test(line.trim()));
  expect(start, "the README has a | status | code | when | table").toBeGreaterThan(0);
  const table = new Map<string, number>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    const [status, codes] = line.split("|").slice(1, 3).map((cell) => cell.trim());
    for (const [, code] of codes!.matchAll(/`([^`]+)`/g)) {
      expect(table.has(code!), `${code} listed twice`).toBe(false);
      table.set(code!, Number(status));
    }
  }
  return table;
}

describe("README error table", () => {
  const table = readmeErrorTable();

  it("lists every ErrorCode under its status", () => {
    for (const code of ERROR_CODES) expect([code, table.get(code)]).toEqual([code, ERROR_STATUS[code]]);
  });

  it("lists no code the API does not have", () => {
    expect([...table.keys()].filter((code) => !(ERROR_CODES as readonly string[]).includes(code))).toEqual([]);
    expect(table.size).toBe(ERROR_CODES.length);
  });
});
