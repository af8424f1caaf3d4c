/** The test env (`cloudflare:test`) carries the Worker's bindings. */
import type { Bindings } from "../../src/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {}
  }
}
