/**
 * @module webhooks/json-pointer
 * Finds the text fields a hook moderates: RFC 6901 JSON pointers, where an array met on the way
 * (and at the end) is walked, so `/commits/message` reaches every commit's message. Each text found
 * comes with the concrete pointer it was found at (`/commits/0/message`).
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
  const visit = (value: unknown, rest: readonly string[], at: string): void => {
    if (rest.length === 0) {
      if (typeof value === "string") found.push({ pointer: at, text: value });
      else if (Array.isArray(value)) value.forEach((item, i) => visit(item, rest, `${at}/${i}`));
      return;
    }
    const [token, ...tail] = rest as [string, ...string[]];
    if (Array.isArray(value)) {
      if (/^(0|[1-9]\d*)$/.test(token)) {
        if (Number(token) < value.length) visit(value[Number(token)], tail, `${at}/${token}`);
      } else {
        value.forEach((item, i) => visit(item, rest, `${at}/${i}`));
      }
    } else if (typeof value === "object" && value !== null && Object.hasOwn(value, token)) {
      visit((value as Record<string, unknown>)[token], tail, `${at}/${escape(token)}`);
    }
  };
  visit(document, tokens, "");
  return found;
}
