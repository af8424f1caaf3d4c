/**
 * @module test/package/consumer
 * The package as a user gets it: `npm pack` (after rebuilding dist/ from the sources), the tarball
 * unpacked into a fresh consumer project outside the repo (test/fixtures/consumer: a Hono Worker
 * with a standard Workers tsconfig, no `allowImportingTsExtensions`, no `*.wasm` declaration),
 * its peers and tools linked from our node_modules (offline). Then: the consumer's `tsc` passes,
 * `wrangler dev` serves its comments tagged by the real sentiment model (positive and negative), a
 * model that is not at the root of the assets directory is tagged `unknown` with one warning
 * naming the path, and the `albert-edge` command runs from the installed package.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/paths.ts";

const fixture = join(repoRoot, "test", "fixtures", "consumer");
const POSITIVE = "a gorgeous, witty, seductive movie.";
const NEGATIVE = "a dull, tedious mess";
const ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "1" };

interface Wrangler {
  child: ChildProcess;
  url: string;
  output: () => string;
}

let work: string | undefined;
let consumer: string;
let files: string[];
let wrangler: Wrangler | undefined;

function run(command: string, args: string[], cwd: string, input?: string): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, input, encoding: "utf8", env: ENV });
  if (result.error !== undefined) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function mustRun(command: string, args: string[], cwd: string): string {
  const result = run(command, args, cwd);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** A loopback port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Links a package from our node_modules into the consumer's. */
function link(name: string): void {
  const target = join(consumer, "node_modules", name);
  mkdirSync(join(target, ".."), { recursive: true });
  symlinkSync(join(repoRoot, "node_modules", name), target, "dir");
}

/** Ends wrangler dev and its workerd: the whole process group it leads. */
function stop(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

async function startWrangler(): Promise<Wrangler> {
  const port = await freePort();
  const inspector = await freePort();
  const bin = join(consumer, "node_modules", "wrangler", "bin", "wrangler.js");
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--show-interactive-dev-session=false"];
  const child = spawn(process.execPath, [bin, ...args], { cwd: consumer, detached: true, stdio: ["ignore", "pipe", "pipe"], env: ENV });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 45_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return { child, url, output: () => output };
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  stop(child);
  throw new Error(`wrangler dev did not answer on ${url}:\n${output}`);
}

interface Tagged {
  header: string | null;
  json: { sentiment: { label: string; score: number | null; reason?: string }; comment?: unknown };
}

async function post(path: string, body: string): Promise<Tagged> {
  const response = await fetch(`${wrangler!.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });
  expect(response.status).toBe(200);
  return { header: response.headers.get("x-sentiment"), json: (await response.json()) as Tagged["json"] };
}

beforeAll(() => {
  // dist/ from the current sources (the kernels in src/engine/wasm come from `npm ci`'s build).
  mustRun("npm", ["run", "--silent", "build:dist"], repoRoot);
  mustRun("npm", ["run", "--silent", "build:cli"], repoRoot);
  work = mkdtempSync(join(tmpdir(), "albert-edge-consumer-"));
  const [info] = JSON.parse(mustRun("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], repoRoot)) as [{ filename: string; files: { path: string }[] }];
  files = info.files.map((f) => f.path);
  consumer = join(work, "consumer");
  cpSync(fixture, consumer, { recursive: true, filter: (source) => !/[/\\](node_modules|\.wrangler|model-shards)$/.test(source) });
  // What `npm install albert-edge` does with the tarball, with its peers and the tools linked
  // from our node_modules, so that nothing is fetched.
  const installed = join(consumer, "node_modules", "albert-edge");
  mkdirSync(installed, { recursive: true });
  mustRun("tar", ["-xzf", join(work, info.filename), "-C", installed, "--strip-components=1"], work);
  for (const name of ["hono", "typescript", "wrangler", "@cloudflare/workers-types"]) link(name);
  // The user's copy of the model: its folder at the root of the assets directory.
  cpSync(join(installed, "model-shards", "sentiment"), join(consumer, "model-shards", "sentiment"), { recursive: true });
}, 120_000);

afterAll(() => {
  if (wrangler !== undefined) stop(wrangler.child);
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe("the packed package in a consumer Worker", () => {
  it("ships built JS, declarations and the kernels, and no sources", () => {
    for (const file of ["dist/middleware/sentiment.js", "dist/middleware/sentiment.d.ts", "dist/app.d.ts", "dist/engine/wasm/engine-relaxed.wasm", "dist/cli/cli.js", "bin/albert-edge.js", "model-shards/sentiment/manifest.json"]) {
      expect(files).toContain(file);
    }
    expect(files.filter((f) => /^(src|test|training|bench)\//.test(f))).toEqual([]);
    const installed = join(consumer, "node_modules", "albert-edge");
    const declarations = files.filter((f) => f.endsWith(".d.ts"));
    expect(declarations.length).toBeGreaterThan(20);
    for (const file of declarations) {
      expect(readFileSync(join(installed, file), "utf8"), file).not.toMatch(/["']\.{1,2}\/[^"']*\.ts["']|\.wasm["']/);
    }
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
    expect(Object.keys(manifest["dependencies"] ?? {})).not.toContain("hono"); // one copy: the app's
    expect(Object.keys(manifest["dependencies"] ?? {})).not.toContain("onnxruntime-web");
    expect(manifest["peerDependencies"]?.["hono"]).toMatch(/^\^4\.\d+\.\d+$/);
  });

  it("type-checks with a standard Workers tsconfig (no allowImportingTsExtensions)", () => {
    expect(readFileSync(join(consumer, "tsconfig.json"), "utf8")).not.toContain("allowImportingTsExtensions");
    const result = run(process.execPath, [join(consumer, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", consumer], consumer);
    expect(`${result.stdout}${result.stderr}`).toBe("");
    expect(result.status).toBe(0);
  }, 60_000);

  it("serves requests tagged by the real model under wrangler dev", async () => {
    wrangler = await startWrangler();
    const positive = await post("/comments/new", JSON.stringify({ comment: { body: POSITIVE } }));
    expect(positive.json.sentiment.label).toBe("positive");
    expect(positive.json.sentiment.score).toBeGreaterThan(0.5);
    expect(positive.header).toMatch(/^positive;score=0\.\d{4}$/);
    expect(positive.json.comment).toEqual({ comment: { body: POSITIVE } }); // the body is still readable
    const negative = await post("/comments/new", JSON.stringify({ comment: { body: NEGATIVE } }));
    expect(negative.json.sentiment.label).toBe("negative");
    expect(negative.header).toMatch(/^negative;score=0\.\d{4}$/);
  }, 90_000);

  it("tags `unknown` and warns once, naming the path, when the model is not at the assets root", async () => {
    expect(wrangler).toBeDefined();
    for (let i = 0; i < 2; i++) {
      const misplaced = await post("/misplaced/new", POSITIVE);
      expect(misplaced.header).toBe("unknown");
      expect(misplaced.json).toEqual({ sentiment: { label: "unknown", score: null, reason: "error" } });
    }
    const deadline = Date.now() + 5_000;
    while (!wrangler!.output().includes("could not be loaded") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const warnings = wrangler!.output().split("\n").filter((line) => line.includes('albert-edge sentimentTagger: model "elsewhere" could not be loaded'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("/elsewhere/manifest.json");
  }, 30_000);

  it("runs the albert-edge command from the installed package; --engine ort says what to install", () => {
    const bin = join(consumer, "node_modules", "albert-edge", "bin", "albert-edge.js");
    const model = join(consumer, "model-shards", "sentiment");
    const input = `${JSON.stringify({ text: POSITIVE })}\n${JSON.stringify({ text: NEGATIVE })}\n`;
    const ours = run(process.execPath, [bin, "classify", "--model", model], consumer, input);
    expect(ours.stderr).toBe("");
    expect(ours.stdout.trim().split("\n").map((line) => (JSON.parse(line) as { label: string }).label)).toEqual(["positive", "negative"]);
    // onnxruntime-web is an optional peer, not installed here: the reference engine is refused clearly.
    expect(existsSync(join(consumer, "node_modules", "onnxruntime-web"))).toBe(false);
    const ort = run(process.execPath, [bin, "classify", "--engine", "ort", "--model", model], consumer, input);
    expect(ort.status).toBe(1);
    expect(ort.stderr).toContain("--engine ort needs onnxruntime-web");
  }, 60_000);
});
