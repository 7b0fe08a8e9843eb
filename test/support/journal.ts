/**
 * A journal of what a service asked its collaborators to do, in order: each fake is a `note`, which
 * writes its name and arguments down and gives `answer`'s result back. A statement a mutant drops
 * is a line missing from the journal; an argument it changes is a line that differs.
 */
export function aJournal() {
  const entries: unknown[][] = [];
  const note =
    (name: string, answer?: (...args: any[]) => unknown) =>
    async (...args: unknown[]) => {
      entries.push([name, ...args]);
      return answer?.(...args);
    };
  return { entries, note };
}
