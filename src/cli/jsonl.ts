/**
 * @module cli/jsonl
 * JSONL plumbing shared by the `tokenize` and `classify` commands: lines split at `\n` only (a
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

/** Yields each non-blank line's `text` with its 1-based line number. */
export async function* readTexts(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<{ text: string; line: number }> {
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new InputLineError(`stdin line ${n}: not valid JSON`);
    }
    const text = typeof value === "object" && value !== null ? (value as { text?: unknown }).text : undefined;
    if (typeof text !== "string") throw new InputLineError(`stdin line ${n}: expected an object with a string "text"`);
    if (text.trim() === "") throw new InputLineError(`stdin line ${n}: "text" is empty`);
    yield { text, line: n };
  }
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
