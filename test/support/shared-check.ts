/**
 * @module test/support/shared-check
 * Vitest global setup (every project): says once, in one line, when ../shared is missing and the
 * tests that need its data are skipped; under `CI=true` a missing ../shared fails the run instead,
 * so CI can never pass by skipping them.
 */
import { SHARED_MISSING, sharedDir, sharedPresent } from "./paths.ts";

export default function checkShared(): void {
  if (sharedPresent()) return;
  if (process.env["CI"] === "true") {
    throw new Error(`CI=true but ../shared is missing (looked for ${sharedDir}): CI must run beside shared/ (golden data, checkpoints, datasets); nothing was skipped, the run fails`);
  }
  console.warn(`\n${SHARED_MISSING} (see README, "Tests").\n`);
}
