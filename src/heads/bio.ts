/**
 * @module heads/bio
 * BIO / IOB2 tag parsing with Hugging Face `TokenClassificationPipeline` semantics: "B-X" begins an
 * entity of type X, "I-X" continues one, and a label in neither form (e.g. "PER", "O") counts as
 * "I-" + label (HF `get_tag`). The type an aggregated entity is reported under is HF's
 * `entity_group`: the part after the last "-" of its first token's label.
 */

/** One label split into its BIO prefix and entity type. */
export interface BioTag {
  bi: "B" | "I";
  type: string;
}

/** HF `get_tag`: "B-PER" → B/PER, "I-PER" → I/PER, anything else (e.g. "PER", "O") → I/label. */
export function parseBioTag(label: string): BioTag {
  if (label.startsWith("B-")) return { bi: "B", type: label.slice(2) };
  if (label.startsWith("I-")) return { bi: "I", type: label.slice(2) };
  return { bi: "I", type: label };
}

/** HF `group_sub_entities`: the reported type of a group, `label.split("-")[-1]` ("B-PER" → "PER"). */
export function entityGroupLabel(firstLabel: string): string {
  const dash = firstLabel.lastIndexOf("-");
  return dash < 0 ? firstLabel : firstLabel.slice(dash + 1);
}

/**
 * HF `group_entities`' merge rule: `next` joins the group that ends with `previous` when both have
 * the same type and `next` is not a B- tag (so B-B of one type gives two entities, and an I- tag
 * after another type starts a new entity).
 */
export function continuesEntity(previous: string, next: string): boolean {
  const a = parseBioTag(previous);
  const b = parseBioTag(next);
  return a.type === b.type && b.bi !== "B";
}
