/** The test env (`cloudflare:test`) carries the Worker's bindings, plus the tests' own. */
import type { Bindings } from "../../src/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      /** A rate limiter of 3 requests per 60 s (vitest.config.ts), for the rate-limit tests. */
      RATE_LIMITER_3: RateLimit;
    }
  }
}
