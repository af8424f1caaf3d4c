/**
 * @module test/unit/package/import-graph
 * The package's module graph, read from the sources (every `import`/`export … from` and dynamic
 * `import("…")`, type-only ones included): no import cycles anywhere in src/, and the Worker-side
 * package exports (the entries `npm run build` emits to dist/) never reach Node-only code
 * (src/node, src/convert, src/cli, src/ort), a `node:` module, or a package that is neither a
 * dependency nor a required peer (onnxruntime-web is an optional peer, for the CLI only).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../support/paths.ts";

const src = join(repoRoot, "src");
const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;

function sourceFiles(): string[] {
  return readdirSync(src, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name))
    .filter((file) => !relative(src, file).startsWith(join("engine", "kernels"))); // AssemblyScript
}

/** Module → the specifiers it imports (relative ones resolved to files). */
function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of sourceFiles()) {
    const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "");
    const targets: string[] = [];
    for (const match of text.matchAll(SPECIFIER)) {
      const spec = match[1] ?? match[2] ?? match[3]!;
      targets.push(spec.startsWith(".") ? resolve(dirname(file), spec) : spec);
    }
    edges.set(file, targets);
  }
  return edges;
}

function findCycles(edges: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, "visiting");
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      if (state.get(next) === "visiting") cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => relative(src, f)));
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of edges.keys()) if (state.get(node) === undefined) visit(node);
  return cycles;
}

/** Everything reachable from `entry`: files under src/ and bare specifiers. */
function closure(edges: Map<string, string[]>, entry: string): Set<string> {
  const seen = new Set<string>([entry]);
  const todo = [entry];
  while (todo.length > 0) {
    for (const next of edges.get(todo.pop()!) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        todo.push(next);
      }
    }
  }
  return seen;
}

describe("module graph of src/", () => {
  const edges = graph();

  it("reads the sources (sanity: the entry and its known imports are there)", () => {
    expect(edges.size).toBeGreaterThan(50);
    expect(edges.get(join(src, "index.ts"))).toContain(join(src, "app.ts"));
  });

  it("has no import cycle", () => {
    expect(findCycles(edges)).toEqual([]);
  });

  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
    exports: Record<string, string | { default: string }>;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
  const entries = Object.entries(pkg.exports).filter(([name]) => name !== "./package.json");
  /** Packages a consumer is sure to have: dependencies and required peers (not optional ones, not devDependencies). */
  const installed = new Set([
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}).filter((name) => pkg.peerDependenciesMeta?.[name]?.optional !== true),
  ]);
  const packageOf = (specifier: string) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

  it("exports only built files from dist/", () => {
    expect(entries.length).toBeGreaterThanOrEqual(4);
    for (const [, target] of entries) expect(typeof target === "string" ? target : target.default).toMatch(/^\.\/dist\/.+\.js$/);
  });

  it.each(entries.map(([name, target]) => [name, typeof target === "string" ? target : target.default] as const))(
    "%s never reaches Node-only code, nor a package a consumer may lack",
    (_, target) => {
      const entry = join(src, target.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts"));
      expect(edges.has(entry)).toBe(true);
      const reached = [...closure(edges, entry)];
      const nodeOnly = reached.filter((m) => m.startsWith("node:") || ["node", "convert", "cli", "ort"].some((dir) => m.startsWith(join(src, dir) + "/")) || m === join(src, "cli.ts"));
      expect(nodeOnly.map((m) => (m.startsWith("/") ? relative(src, m) : m))).toEqual([]);
      expect(reached.filter((m) => !m.startsWith("/") && !m.startsWith("node:") && !installed.has(packageOf(m)))).toEqual([]);
      expect(reached.length).toBeGreaterThan(3); // the walk went somewhere
    },
  );
});
