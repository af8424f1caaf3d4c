/**
 * @module test/faults/fault-worker
 * The real app under broken configurations, as the Worker entry of the `faults` test project, so
 * `SELF.fetch` gives every request its own workerd request context (what strands a shared promise).
 * `MODELS` comes from the project's bindings (`sentiment,ghost,moderation`: `ghost` has no shards);
 * a request with `x-fault: missing-manifest` is served by a second app instance whose ASSETS
 * answer 404 for `sentiment/manifest.json` (the default config after that file goes missing).
 * `x-app: <name>` picks a separate app instance (its own cold registry) per name.
 */
import { createApp } from "../../src/app.ts";
import type { Bindings } from "../../src/env.ts";

const apps = new Map<string, ReturnType<typeof createApp>>();
const missingManifestApp = createApp();

function appNamed(name: string): ReturnType<typeof createApp> {
  let app = apps.get(name);
  if (app === undefined) apps.set(name, (app = createApp()));
  return app;
}
let hiddenManifest: { assets: Fetcher; wrapped: Fetcher } | undefined;

function withoutSentimentManifest(assets: Fetcher): Fetcher {
  if (hiddenManifest?.assets !== assets) {
    const wrapped = {
      fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
        const request = new Request(input as RequestInfo, init);
        if (new URL(request.url).pathname === "/sentiment/manifest.json") return Promise.resolve(new Response("not found", { status: 404 }));
        return assets.fetch(request);
      },
      connect(): never {
        throw new Error("not supported");
      },
    } as unknown as Fetcher;
    hiddenManifest = { assets, wrapped };
  }
  return hiddenManifest.wrapped;
}

export default {
  fetch(request: Request, env: Bindings, ctx: ExecutionContext): Response | Promise<Response> {
    if (request.headers.get("x-fault") === "missing-manifest") {
      return missingManifestApp.fetch(request, { ...env, MODELS: "sentiment,moderation", ASSETS: withoutSentimentManifest(env.ASSETS) }, ctx);
    }
    return appNamed(request.headers.get("x-app") ?? "").fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Bindings>;
