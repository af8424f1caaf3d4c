/**
 * @module app
 * Builds the Hono app: request ids, usage and the request log, timing, OpenAI's error object on
 * the OpenAI-compatible routes, CORS, error envelope, 405s,
 * optional API-key auth and per-key rate limits (not on webhooks, which are signed), and the route
 * groups, whose schemas `GET /openapi.json` describes (the pattern: `routes/openapi.ts`). No model
 * work happens here; routes load models through the registry on demand.
 */
import type { Hono } from "hono";
import { except } from "hono/combine";
import { methodNotAllowed } from "hono/method-not-allowed";
import { timing } from "hono/timing";
import type { AppEnv } from "./env.ts";
import { errorBody } from "./errors.ts";
import { apiKeyAuth } from "./middleware/auth.ts";
import { corsFromConfig } from "./middleware/cors.ts";
import { notFound, onError } from "./middleware/errors.ts";
import { openAIErrors } from "./middleware/openai-errors.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { requestId } from "./middleware/request-id.ts";
import { service } from "./middleware/service.ts";
import { usageLog } from "./middleware/usage.ts";
import { classify } from "./routes/classify.ts";
import { embeddings } from "./routes/embeddings.ts";
import { entities } from "./routes/entities.ts";
import { health } from "./routes/health.ts";
import { models } from "./routes/models.ts";
import { moderations } from "./routes/moderations.ts";
import { routeGroup } from "./routes/openapi.ts";
import { serveOpenAPIDocument } from "./routes/openapi-document.ts";
import { proxy } from "./routes/proxy.ts";
import { qa } from "./routes/qa.ts";
import { tokenize } from "./routes/tokenize.ts";
import { webhooks } from "./routes/webhooks.ts";

export function createApp(): Hono<AppEnv> {
  const app = routeGroup();
  app.use(requestId());
  app.use(usageLog());
  app.use(timing({ totalDescription: "total" }));
  // OpenAI's error object on the OpenAI-compatible routes, for every error answered below.
  app.use("/v1/moderations", openAIErrors());
  app.use("/v1/models", openAIErrors());
  app.use("/v1/embeddings", openAIErrors());
  // Before everything that reads a key, counts a request or loads a model: preflights stop here.
  app.use("/v1/*", corsFromConfig());
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        c.json(errorBody("method_not_allowed", `${c.req.method} is not allowed here; use ${methods.join(", ")}`), 405, {
          allow: methods.join(", "),
        }),
    }),
  );
  app.use(service());
  // Webhooks authenticate by their signatures, not by the API key, and are not rate limited by key.
  app.use("/v1/*", except("/v1/webhooks/*", apiKeyAuth(), rateLimit()));
  app.route("/", health);
  app.route("/", models);
  app.route("/", classify);
  app.route("/", tokenize);
  app.route("/", moderations);
  app.route("/", entities);
  app.route("/", qa);
  app.route("/", embeddings);
  app.route("/", webhooks);
  app.route("/", proxy);
  serveOpenAPIDocument(app);
  app.notFound(notFound);
  app.onError(onError);
  return app;
}
