/**
 * @module vitest.config
 * Three test projects: `unit` runs in Node (tokenizer, converter, runtime parity, CLI);
 * `worker` runs inside workerd through @cloudflare/vitest-plugin against wrangler.toml; `faults`
 * runs the app under broken configurations (test/faults/fault-worker.ts) in workerd.
 */
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
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
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          globalSetup: ["test/worker/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
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
    ],
  },
});
