/**
 * @module vitest.config
 * Test projects: `unit` runs in Node (tokenizer, converter, runtime parity, CLI);
 * `worker` runs inside workerd through @cloudflare/vitest-plugin against wrangler.toml, with two
 * rate limiters of its own (Miniflare emulates the Workers Rate Limiting binding): `RATE_LIMITER`
 * raised so that the suite's many requests from one client address are never limited, and
 * `RATE_LIMITER_3` (3 per 60 s) for the rate-limit tests, which hand it to the app as `RATE_LIMITER`;
 * `faults` runs the app under broken configurations (test/faults/fault-worker.ts) in workerd;
 * `heads` runs the Worker on the ../shared head fixtures (test/heads/wrangler.toml); `package`
 * packs the npm package and runs it in a consumer Worker under `wrangler dev`.
 */
import { mkdirSync } from "node:fs";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// The `heads` project's static assets: filled by test/heads/global-setup.ts, but there from the start.
mkdirSync(new URL("./.test-shards", import.meta.url), { recursive: true });

export default defineConfig({
  test: {
    // Keeps the Worker's one-JSON-line-per-request log out of the test output (tests that check it
    // capture it themselves).
    onConsoleLog: (log) => !log.startsWith('{"message":"request"'),
    // Once per run: one line when ../shared is missing (its tests skip), a failure under CI=true.
    globalSetup: ["test/support/shared-check.ts"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              ratelimits: {
                RATE_LIMITER: { namespace_id: "1001", simple: { limit: 1_000_000, period: 60 } },
                RATE_LIMITER_3: { namespace_id: "9003", simple: { limit: 3, period: 60 } },
              },
            },
          }),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          globalSetup: ["test/worker/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Every ALBERT head through the Worker, on the ../shared fixtures converted by its global setup.
        plugins: [cloudflareTest({ wrangler: { configPath: "./test/heads/wrangler.toml" } })],
        test: {
          name: "heads",
          include: ["test/heads/**/*.test.ts"],
          globalSetup: ["test/heads/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The app under broken configurations, each request in its own request context (SELF.fetch).
        plugins: [
          cloudflareTest({
            main: "./test/faults/fault-worker.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { MODELS: "sentiment,ghost,moderation" } },
          }),
        ],
        test: {
          name: "faults",
          include: ["test/faults/**/*.test.ts"],
          // Cold model loads (ORT's 14 MB wasm compiled per project) are slow on a loaded machine.
          testTimeout: 300_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The packed package in a consumer project (test/fixtures/consumer): tsc, wrangler dev, the CLI.
        test: {
          name: "package",
          include: ["test/package/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
