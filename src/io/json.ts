/**
 * What `JSON.parse` hides: the textual order of an object's keys (a JS object
 * lists integer-like keys first) and duplicate keys (it keeps the last).
 */

/** The result of `scanKeys`. */
export interface KeyScan {
  /** Keys of the outermost object, in the order they appear in the text. */
  readonly order: readonly string[];
  /** The first key found twice in one object (at any depth), or null. */
  readonly duplicate: string | null;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/**
 * Scans already-validated JSON text (`JSON.parse` accepted it) for the keys
 * of its objects.
 *
 * @example
 * scanKeys('{"b": 1, "1": {"x": 0, "x": 1}}'); // { order: ['b', '1'], duplicate: 'x' }
 */
export function scanKeys(text: string): KeyScan {
  const stack: (Set<string> | null)[] = []; // one entry per open object (a key set) or array (null)
  const order: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const raw = text.slice(i, j + 1);
      i = j + 1;
      let k = i;
      while (WHITESPACE.has(text[k]!)) k++;
      const keys = stack[stack.length - 1];
      if (text[k] === ':' && keys) {
        const key = JSON.parse(raw) as string;
        if (keys.has(key)) return { order, duplicate: key };
        keys.add(key);
        if (stack.length === 1) order.push(key);
      }
      continue;
    }
    if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    i++;
  }
  return { order, duplicate: null };
}
