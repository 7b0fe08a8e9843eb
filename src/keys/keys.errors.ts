/**
 * What an operator's key command is refused for. These never reach HTTP (only the CLI changes
 * keys), so they are plain errors whose message the CLI prints.
 */
export class NextKeyTooYoungError extends Error {
  constructor(kid: string, eligibleAt: Date) {
    super(
      `the next key ${kid} may sign from ${eligibleAt.toISOString()}, once verifiers that cached the key set have seen it; run keys rotate --force to rotate now anyway (for a leaked key)`,
    );
  }
}

export class UnknownKeyError extends Error {
  constructor(kid: string) {
    super(`no published key has the kid ${kid}: keys list shows them`);
  }
}

export class KeyAlreadyRetiredError extends Error {
  constructor(kid: string) {
    super(`the key ${kid} is already retired: it leaves the key set when its last token has expired`);
  }
}
