/**
 * @module bench/lib/workerd
 * Runs the Worker locally in workerd through `wrangler dev --config bench/wrangler.bench.toml`
 * and measures it from outside, over loopback HTTP (inside workerd, performance.now() and
 * Date.now() do not advance during pure CPU work, so every latency here is a client-side
 * round trip and includes the loopback HTTP overhead, which /healthz measures).
 *
 * wrangler dev runs two workerd processes: a proxy on the public port and the runtime that hosts
 * the isolate. We find the runtime's own entry socket (a loopback port answering /healthz) and
 * send requests there directly, which skips one proxy hop; the runtime's pid gives its memory
 * (VmRSS / VmHWM from /proc; VmHWM is reset through /proc/<pid>/clear_refs after start-up so the
 * peak covers only the workload). The runtime also serves the V8 inspector on another loopback
 * port (wrangler passes `--inspector-addr=127.0.0.1:0`); its `core:user:<name>` target is the
 * Worker's isolate, which bench/lib/inspector.ts samples for the isolate's own memory.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { inspectorTarget } from "./inspector.ts";
import { paths } from "./paths.ts";

export interface Workerd {
  /** Base URL of the runtime's own entry socket (or the public port when not found). */
  url: string;
  publicUrl: string;
  runtimePid: number | undefined;
  /** WebSocket URL of the Worker's V8 inspector target in the runtime workerd, when found. */
  inspectorUrl: string | undefined;
  startMs: number;
  stop(): Promise<void>;
}

export interface Reply {
  ms: number;
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

function children(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = map.get(ppid) ?? [];
      list.push(Number(entry));
      map.set(ppid, list);
    } catch {
      // process ended while we looked
    }
  }
  return map;
}

function descendants(pid: number): number[] {
  const map = children();
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    for (const c of map.get(p) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

/** The Worker's name in a wrangler config (its inspector target is `core:user:<name>`). */
function workerName(config: string): string {
  return /^name\s*=\s*"([^"]+)"/m.exec(readFileSync(config, "utf8"))?.[1] ?? "";
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/** Loopback TCP ports a process listens on (from `ss`). */
function listeningPorts(pid: number): number[] {
  let out = "";
  try {
    out = execFileSync("ss", ["-ltnpH"], { encoding: "utf8" });
  } catch {
    return [];
  }
  return out
    .split("\n")
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1]))
    .filter((p) => Number.isInteger(p) && p > 0);
}

export function memoryOf(pid: number): { rssKb: number; hwmKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rssKb: field("VmRSS"), hwmKb: field("VmHWM") };
}

/** Resets the peak RSS (VmHWM) of a process to its current RSS; false if the kernel refuses. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** One keep-alive connection pool for all benchmark requests (loopback only). */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function once(url: string, init: RequestInit): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = httpRequest(url, { method: init.method ?? "GET", headers: init.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ ms: performance.now() - t, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

/** Sends one request; a keep-alive socket the server closed meanwhile is retried once on a new one. */
/** Current autogroup nice of this process (Linux autogroup scheduling), or undefined. */
export function autogroupNice(pid: number | "self" = "self"): number | undefined {
  try {
    const m = /nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, "utf8"));
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

/** Sets the autogroup nice of a process's session (affects only that session's processes). */
export function setAutogroupNice(value: number, pid: number | "self" = "self"): boolean {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(value));
    return autogroupNice(pid) === value;
  } catch {
    return false;
  }
}

function copyAutogroupNice(pid: number): void {
  const nice = autogroupNice();
  if (nice !== undefined && nice !== 0) setAutogroupNice(nice, pid);
}

export async function request(url: string, init: RequestInit = {}): Promise<Reply> {
  try {
    return await once(url, init);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== "ECONNRESET" && code !== "EPIPE") throw e;
    return once(url, init);
  }
}

export function classifyRequest(input: string | string[], model: string, cache: boolean): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...(cache ? {} : { "cache-control": "no-store" }) },
    body: JSON.stringify({ model, input }),
  };
}

async function waitHealthy(url: string, deadlineMs: number, child: ChildProcess): Promise<void> {
  const end = performance.now() + deadlineMs;
  while (performance.now() < end) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      const r = await request(`${url}/healthz`);
      if (r.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`workerd did not answer ${url}/healthz within ${deadlineMs} ms`);
}

/** Starts `wrangler dev` on a loopback port with `config` (default bench/wrangler.bench.toml). */
export async function startWorkerd(port: number, log: (line: string) => void, config: string = paths.wranglerConfig): Promise<Workerd> {
  const started = performance.now();
  const child = spawn(
    "npx",
    ["wrangler", "dev", "--config", config, "--port", String(port), "--ip", "127.0.0.1", "--persist-to", process.env.BENCH_PERSIST ?? paths.wranglerState, "--log-level", "error", "--show-interactive-dev-session=false"],
    { cwd: paths.repo, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", X_LOCAL_OBSERVABILITY: "false", X_LOCAL_EXPLORER: "false", CI: "1" } },
  );
  // `detached` starts a new session, hence a new scheduler autogroup: give it the caller's priority.
  if (child.pid !== undefined) copyAutogroupNice(child.pid);
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const publicUrl = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitHealthy(publicUrl, 90_000, child);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${output.slice(-2000)}`);
  }
  const startMs = performance.now() - started;
  // Find the runtime workerd and its own entry socket.
  let url = publicUrl;
  let runtimePid: number | undefined;
  let inspectorUrl: string | undefined;
  for (const pid of descendants(child.pid as number).filter((p) => commOf(p) === "workerd")) {
    for (const p of listeningPorts(pid)) {
      if (p === port) continue;
      const target = await inspectorTarget(p, workerName(config));
      if (target !== undefined) {
        inspectorUrl = target;
        continue;
      }
      try {
        const r = await Promise.race([request(`http://127.0.0.1:${p}/healthz`), new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 1000))]);
        if (r.status === 200 && r.body.includes('"ok"')) {
          url = `http://127.0.0.1:${p}`;
          runtimePid = pid;
        }
      } catch {
        // not an HTTP entry socket
      }
    }
  }
  if (runtimePid === undefined) log("  note: runtime workerd entry socket not found; using the wrangler proxy port");
  if (inspectorUrl === undefined) log("  note: the Worker's V8 inspector target was not found; no isolate memory figures");
  return { url, publicUrl, runtimePid, inspectorUrl, startMs, stop };
}
