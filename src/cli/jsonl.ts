/**
 * @module cli/jsonl
 * JSONL plumbing shared by the commands: lines split at `\n` only (a
 * trailing `\r` is dropped; U+2028 / U+2029, which JSON allows unescaped and Node's readline would
 * split at, stay inside the line), `{"text"}` input lines with line-numbered errors (blank lines
 * skipped, empty text refused as the API refuses it), and a buffered output writer that honours
 * stdout backpressure.
 */
import type { Writable } from "node:stream";

/** A bad input line; the command stops there and exits 1. */
export class InputLineError extends Error {
  override readonly name = "InputLineError";
}

/** The lines of a byte or text stream, split at `\n` only; `\r\n` is tolerated. */
export async function* readLines(input: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8");
  let rest = "";
  for await (const chunk of input) {
    rest += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let end = rest.indexOf("\n");
    while (end !== -1) {
      yield stripCr(rest.slice(0, end));
      rest = rest.slice(end + 1);
      end = rest.indexOf("\n");
    }
  }
  rest += decoder.decode();
  if (rest !== "") yield stripCr(rest);
}

function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** Each non-blank line as a JSON object with its 1-based line number (`expected` names the object in errors). */
export async function* readObjects(lines: AsyncIterable<string> | Iterable<string>, expected = "a JSON object"): AsyncGenerator<{ value: Record<string, unknown>; line: number }> {
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new InputLineError(`stdin line ${n}: not valid JSON`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InputLineError(`stdin line ${n}: expected ${expected}`);
    yield { value: value as Record<string, unknown>, line: n };
  }
}

/** A non-empty string field of an input line (empty text is refused, as the API refuses it). */
export function textField(value: Record<string, unknown>, field: string, line: number): string {
  const text = value[field];
  if (typeof text !== "string") throw new InputLineError(`stdin line ${line}: expected an object with a string "${field}"`);
  if (text.trim() === "") throw new InputLineError(`stdin line ${line}: "${field}" is empty`);
  return text;
}

/** Yields each non-blank line's `text` with its 1-based line number. */
export async function* readTexts(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<{ text: string; line: number }> {
  for await (const { value, line } of readObjects(lines, 'an object with a string "text"')) yield { text: textField(value, "text", line), line };
}

/** Buffers output lines and honours stdout backpressure. */
export class LineWriter {
  readonly #stream: Writable;
  #buffer: string[] = [];
  #size = 0;

  constructor(stream: Writable) {
    this.#stream = stream;
  }

  async write(line: string): Promise<void> {
    this.#buffer.push(line);
    this.#size += line.length;
    if (this.#size >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#buffer.length === 0) return;
    const chunk = this.#buffer.join("");
    this.#buffer = [];
    this.#size = 0;
    if (!this.#stream.write(chunk)) await new Promise<void>((resolve) => this.#stream.once("drain", () => resolve()));
  }
}
