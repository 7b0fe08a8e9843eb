/**
 * `'a', 'b'` for `IN (…)` in a `@Check` constraint, from the constant the code validates with, so
 * that the constraint and the code cannot list different values. Only for constants of our own.
 */
export function sqlList(values: readonly string[]): string {
  return values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ');
}
