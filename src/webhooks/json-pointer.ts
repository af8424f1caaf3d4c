/**
 * @module webhooks/json-pointer
 * Finds the text fields a hook moderates: RFC 6901 JSON pointers, where an array met on the way
 * (and at the end) is walked, so `/commits/message` reaches every commit's message. Each text found
 * comes with the concrete pointer it was found at (`/commits/0/message`), in document order.
 */
export interface FoundText {
  pointer: string;
  text: string;
}

function unescape(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

function escape(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function findTexts(document: unknown, pointer: string): FoundText[] {
  const tokens = pointer === "" ? [] : pointer.slice(1).split("/").map(unescape);
  const found: FoundText[] = [];
  // An explicit stack, not recursion: a hostile payload may nest arrays thousands deep. Children
  // are pushed in reverse so they are visited in document order.
  const stack: { value: unknown; depth: number; at: string }[] = [{ value: document, depth: 0, at: "" }];
  while (stack.length > 0) {
    const { value, depth, at } = stack.pop()!;
    if (depth === tokens.length) {
      if (typeof value === "string") found.push({ pointer: at, text: value });
      else if (Array.isArray(value)) for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], depth, at: `${at}/${i}` });
      continue;
    }
    const token = tokens[depth]!;
    if (Array.isArray(value)) {
      if (/^(0|[1-9]\d*)$/.test(token)) {
        if (Number(token) < value.length) stack.push({ value: value[Number(token)], depth: depth + 1, at: `${at}/${token}` });
      } else {
        for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], depth, at: `${at}/${i}` });
      }
    } else if (typeof value === "object" && value !== null && Object.hasOwn(value, token)) {
      stack.push({ value: (value as Record<string, unknown>)[token], depth: depth + 1, at: `${at}/${escape(token)}` });
    }
  }
  return found;
}
