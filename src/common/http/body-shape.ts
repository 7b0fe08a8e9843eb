/** Deeper than any body of this API; deeper still would exhaust the stack of the validation. */
export const MAX_JSON_DEPTH = 32;

/**
 * Member names JavaScript treats specially. class-transformer skips them, so a DTO's
 * forbidNonWhitelisted never sees them: `{"prototype": …}` in a body or `?constructor=1` in a query
 * was silently dropped instead of refused (the fuzzer's oracle found the first).
 */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Why a parsed request input cannot be accepted whatever its schema, or undefined: nesting deeper
 * than MAX_JSON_DEPTH, a member name JavaScript treats specially, or text that is not well-formed
 * (a NUL, which PostgreSQL cannot store, or an unpaired surrogate, which would silently become
 * U+FFFD). Walks without recursion.
 */
export function unacceptableInput(value: unknown): string | undefined {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node === 'string') {
      if (!isText(node)) return 'contains a NUL character or an unpaired surrogate, which is not text';
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= MAX_JSON_DEPTH) return `is nested more than ${MAX_JSON_DEPTH} levels deep`;
    for (const [key, child] of Object.entries(node)) {
      if (!isText(key)) return 'has a member name that is not text';
      if (RESERVED_NAMES.has(key)) return `has a member named ${key}, which this API never takes`;
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

const isText = (s: string) => !s.includes('\u0000') && s.isWellFormed();
