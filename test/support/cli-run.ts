/**
 * @module test/support/cli-run
 * Runs a CLI command's `run(argv, io)` in-process with captured stdout/stderr and a given stdin,
 * for unit tests of the `albert-edge` commands.
 */
import { PassThrough, Readable, type Writable } from "node:stream";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** Calls `run` with fresh capture streams (stdin reads `input`) and collects what it wrote. */
export async function runCaptured(run: (argv: string[], io: CliIo) => Promise<number>, argv: string[], input = ""): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (c: Buffer) => out.push(c.toString("utf8")));
  stderr.on("data", (c: Buffer) => err.push(c.toString("utf8")));
  const code = await run(argv, { stdin: Readable.from([input]), stdout, stderr });
  return { code, stdout: out.join(""), stderr: err.join("") };
}
