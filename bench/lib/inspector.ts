/**
 * @module bench/lib/inspector
 * Measures the Worker isolate's own memory inside workerd, the way Cloudflare's limit is defined
 * ("each isolate can consume up to 128 MB of memory, including the JavaScript heap and
 * WebAssembly allocations"), through the V8 inspector (Chrome DevTools Protocol) that workerd
 * serves for each worker on its `--inspector-addr` socket (wrangler dev always starts the runtime
 * workerd with one, on a random loopback port; bench/lib/workerd.ts finds it).
 *
 * One sample = `Runtime.getHeapUsage` + `Runtime.evaluate` of bench/worker.js's
 * `globalThis.__benchWasmMemoryBytes()`. What this workerd (2026-11-17) answers, checked by hand
 * against a scratch Worker:
 * - `Runtime.getHeapUsage` → `usedSize`, `totalSize` (V8 heap, committed), `embedderHeapUsedSize`
 *   (cppgc: workerd's C++ objects behind JS wrappers) and `backingStorageSize` (ArrayBuffer
 *   backing stores: a retained 20 MiB ArrayBuffer adds 20 MiB). A 48 MiB WebAssembly.Memory adds
 *   nothing to any of the four, so the WASM linear memory is read separately and added (no double
 *   counting).
 * - `Runtime.evaluate` needs `Runtime.enable` first and the id of the context announced by
 *   `Runtime.executionContextCreated` (without it: "Cannot find default execution context").
 * - `HeapProfiler.collectGarbage` is never answered, so no GC can be forced: samples include
 *   garbage not yet collected, one more reason to count the committed heap (`totalSize`).
 * - Messages are served only while the isolate is not running JS (between requests or at an
 *   await), so a sample never lands inside a synchronous inference; `totalSize` keeps the pages
 *   such transient allocations committed until a GC gives them back, and WASM memory never shrinks.
 * - The very first session after workerd starts is closed right after the handshake; a new
 *   connection then works, hence the retry in {@link Inspector.open}.
 */

/** One reading of the isolate's memory, in bytes. */
export interface MemorySample {
  /** workload phase the sample was taken in */
  phase: string;
  /** ms since the sampler started */
  at_ms: number;
  heap_used: number;
  heap_total: number;
  embedder: number;
  array_buffers: number;
  wasm: number;
}

/** Isolate memory as Cloudflare counts it: committed JS heap + cppgc heap + ArrayBuffers + WASM linear memory. */
export const isolateBytes = (s: MemorySample): number => s.heap_total + s.embedder + s.array_buffers + s.wasm;

interface HeapUsage {
  usedSize: number;
  totalSize: number;
  embedderHeapUsedSize?: number;
  backingStorageSize?: number;
}

interface Message {
  id?: number;
  method?: string;
  params?: { context?: { id: number; name: string } };
  result?: unknown;
  error?: { code: number; message: string };
}

/** A CDP session over Node's global WebSocket. */
export class Inspector {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  /** Execution context of the worker's global scope (from Runtime.executionContextCreated). */
  contextId: number | undefined;

  private readonly ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener("message", (event) => {
      const m = JSON.parse(String(event.data)) as Message;
      if (m.method === "Runtime.executionContextCreated" && m.params?.context !== undefined) this.contextId = m.params.context.id;
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      p?.resolve(m);
    });
    ws.addEventListener("close", () => {
      for (const p of this.pending.values()) p.reject(new Error("inspector session closed"));
      this.pending.clear();
    });
  }

  /** Opens a session and enables the Runtime domain; retries when workerd drops or ignores a fresh session. */
  static async open(url: string, tries = 4): Promise<Inspector> {
    let last: unknown;
    for (let i = 0; i < tries; i++) {
      const ws = new WebSocket(url);
      try {
        await new Promise<void>((resolve, reject) => {
          ws.addEventListener("open", () => resolve(), { once: true });
          ws.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), { once: true });
        });
        const session = new Inspector(ws);
        await session.send("Runtime.enable", {}, 3000);
        if (session.contextId === undefined) throw new Error("no Runtime.executionContextCreated event");
        return session;
      } catch (e) {
        last = e;
        ws.close();
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    throw new Error(`inspector ${url}: ${(last as Error).message}`);
  }

  send<T>(method: string, params: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (m) => {
          clearTimeout(timer);
          if (m.error !== undefined) reject(new Error(`${method}: ${m.error.message}`));
          else resolve(m.result as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Evaluates an expression in the worker's global scope and returns its value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send<{ result: { value?: T }; exceptionDetails?: { text: string } }>("Runtime.evaluate", { expression, contextId: this.contextId, returnByValue: true });
    if (r.exceptionDetails !== undefined) throw new Error(`Runtime.evaluate(${expression}): ${r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  close(): void {
    this.ws.close();
  }
}

/** Samples the isolate's memory on demand and on a timer, keeping every sample. */
export class IsolateMemorySampler {
  readonly samples: MemorySample[] = [];
  private readonly started = performance.now();
  private loop: Promise<void> | undefined;
  private running = false;
  private current = "";
  /** Why the timer stopped early, if it did (the session closed, a sample timed out). */
  error: Error | undefined;

  private readonly session: Inspector;
  /** Expression giving the isolate's WASM linear memory in bytes (bench/worker.js defines it). */
  private readonly wasmExpression: string;

  constructor(session: Inspector, wasmExpression = "globalThis.__benchWasmMemoryBytes()") {
    this.session = session;
    this.wasmExpression = wasmExpression;
  }

  async sample(phase: string): Promise<MemorySample> {
    // Both messages go out together so that workerd answers them in the same pause of the isolate.
    const [heap, wasm] = await Promise.all([this.session.send<HeapUsage>("Runtime.getHeapUsage"), this.session.evaluate<number>(this.wasmExpression)]);
    const s: MemorySample = {
      phase,
      at_ms: Math.round(performance.now() - this.started),
      heap_used: heap.usedSize,
      heap_total: heap.totalSize,
      embedder: heap.embedderHeapUsedSize ?? 0,
      array_buffers: heap.backingStorageSize ?? 0,
      wasm,
    };
    this.samples.push(s);
    return s;
  }

  /** Samples until {@link stopTimer}, `intervalMs` after the end of each sample; {@link phase} relabels. */
  startTimer(intervalMs: number, phase: string): void {
    this.current = phase;
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.sample(this.current);
        } catch (e) {
          this.error = e as Error;
          this.running = false;
          return;
        }
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    })();
  }

  /** Labels the timer's next samples (the workload phase now running). */
  phase(phase: string): void {
    this.current = phase;
  }

  async stopTimer(): Promise<void> {
    this.running = false;
    await this.loop;
    this.loop = undefined;
  }
}

/** WebSocket URL of the worker's inspector target (`core:user:<name>`) on a workerd inspector socket. */
export async function inspectorTarget(port: number, workerName: string): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(2000) });
    const targets = (await res.json()) as { id: string; webSocketDebuggerUrl: string }[];
    return targets.find((t) => t.id === `core:user:${workerName}`)?.webSocketDebuggerUrl;
  } catch {
    return undefined;
  }
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Isolate memory over one workerd run, in MiB (2^20 bytes). */
export interface IsolateMemory {
  /** Largest isolate total (committed JS heap + cppgc + ArrayBuffers + WASM) over every sample. */
  peak_mb: number;
  /** The components of that sample and the workload phase it was taken in. */
  peak_sample: { phase: string; js_heap_total_mb: number; js_heap_used_mb: number; embedder_heap_mb: number; array_buffers_mb: number; wasm_memory_mb: number };
  /** Each component's own maximum over the run (they need not peak together). */
  max_mb: { js_heap_total: number; js_heap_used: number; embedder_heap: number; array_buffers: number; wasm_memory: number };
  /** Isolate total with the isolate up and no model loaded, and after the workload. */
  idle_mb: number | null;
  end_mb: number | null;
  /**
   * Smallest isolate total once the model is loaded (every phase after `load`): roughly what stays
   * allocated; peak − floor is transient (per-request tensors, garbage V8 has not collected yet).
   */
  floor_mb: number | null;
  samples: number;
  /** Samples taken and the largest isolate total, per workload phase. */
  by_phase: Record<string, { samples: number; peak_mb: number }>;
}

export function summarizeIsolateMemory(samples: MemorySample[]): IsolateMemory | null {
  if (samples.length === 0) return null;
  const peak = samples.reduce((best, s) => (isolateBytes(s) > isolateBytes(best) ? s : best));
  const max = (f: (s: MemorySample) => number): number => mb(Math.max(...samples.map(f)));
  const idle = samples.find((s) => s.phase === "idle");
  const loaded = samples.filter((s) => s.phase !== "idle" && s.phase !== "load");
  const end = samples.find((s) => s.phase === "end");
  const byPhase: Record<string, { samples: number; peak_mb: number }> = {};
  for (const s of samples) {
    const p = (byPhase[s.phase] ??= { samples: 0, peak_mb: 0 });
    p.samples++;
    p.peak_mb = Math.max(p.peak_mb, mb(isolateBytes(s)));
  }
  return {
    peak_mb: mb(isolateBytes(peak)),
    peak_sample: { phase: peak.phase, js_heap_total_mb: mb(peak.heap_total), js_heap_used_mb: mb(peak.heap_used), embedder_heap_mb: mb(peak.embedder), array_buffers_mb: mb(peak.array_buffers), wasm_memory_mb: mb(peak.wasm) },
    max_mb: { js_heap_total: max((s) => s.heap_total), js_heap_used: max((s) => s.heap_used), embedder_heap: max((s) => s.embedder), array_buffers: max((s) => s.array_buffers), wasm_memory: max((s) => s.wasm) },
    idle_mb: idle === undefined ? null : mb(isolateBytes(idle)),
    end_mb: end === undefined ? null : mb(isolateBytes(end)),
    floor_mb: loaded.length === 0 ? null : mb(Math.min(...loaded.map(isolateBytes))),
    samples: samples.length,
    by_phase: byPhase,
  };
}
