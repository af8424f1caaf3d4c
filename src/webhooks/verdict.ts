/**
 * @module webhooks/verdict
 * The moderation verdict of a webhook payload: one result per text field found.
 */
import type { ModerationResult } from "../services/moderate.ts";

export interface FieldVerdict extends ModerationResult {
  /** The concrete JSON pointer of the text (arrays walked: `/commits/0/message`). */
  field: string;
}

export interface ModerationVerdict {
  hook: string;
  /** `id@version` of the moderation model. */
  model: string;
  flagged: boolean;
  /** False when no configured field held text (e.g. GitHub's `ping`): nothing was moderated. */
  moderated: boolean;
  /** Why nothing was moderated (only when `moderated` is false). */
  reason?: string;
  results: FieldVerdict[];
}
