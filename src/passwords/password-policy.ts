import { Inject, Injectable } from '@nestjs/common';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { DomainError } from '../common/errors/domain-error.js';

export const PASSWORD_MAX_LENGTH = 128;

/**
 * What zxcvbn looks at: the first 64 characters, and at most 16 l33t substitutions. Both bound the
 * estimate's cost, which runs on the event loop for anyone who signs up: unbounded, a 128-character
 * "P@ssw0rd…" took 1.5 s; bounded, the worst input we found takes about 50 ms. A prefix can only
 * look weaker than the whole, so the bound never lets a weak password through.
 */
const ESTIMATE_LIMITS = { maxLength: 64, l33tMaxSubstitutions: 16 };

/** zxcvbn's warning keys, as the reason a client shows its user. */
const WEAKNESSES: Record<string, string> = {
  straightRow: 'a straight row of keys is easy to guess',
  keyPattern: 'a keyboard pattern is easy to guess',
  simpleRepeat: 'repeated characters are easy to guess',
  extendedRepeat: 'a repeated pattern is easy to guess',
  sequences: 'a sequence such as "abc" or "123" is easy to guess',
  recentYears: 'recent years are easy to guess',
  dates: 'dates are easy to guess',
  topTen: 'it is one of the most used passwords',
  topHundred: 'it is one of the most used passwords',
  common: 'it is a commonly used password',
  similarToCommon: 'it is close to a commonly used password',
  wordByItself: 'a single word is easy to guess',
  namesByThemselves: 'names are easy to guess',
  commonNames: 'common names are easy to guess',
  userInputs: 'it contains the email address or the name',
};

export class PasswordRejectedError extends DomainError {
  readonly code = 'PASSWORD_REJECTED';
  override readonly errors;

  constructor(field: string, reason: string) {
    super(`The ${field === 'password' ? 'password' : 'new password'} was not accepted: ${reason}`);
    this.errors = [{ pointer: `#/${field}`, detail: reason }];
  }
}

/** zxcvbn with its dictionaries, and the common passwords as a Set: one lookup answers the usual case. */
interface Estimator {
  readonly common: ReadonlySet<string>;
  readonly zxcvbn: ZxcvbnFactory;
}

/**
 * Loaded on the first check, not at boot: the dictionaries are half a megabyte of source and their
 * decompression a tenth of the modules' loading time at boot (bench/README.md).
 */
async function loadEstimator(): Promise<Estimator> {
  const [{ ZxcvbnFactory }, { adjacencyGraphs, dictionary }] = await Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
  ]);
  return {
    common: new Set(dictionary['passwords-common'].map((word) => word.toLowerCase())),
    zxcvbn: new ZxcvbnFactory({ graphs: adjacencyGraphs, dictionary, ...ESTIMATE_LIMITS }),
  };
}

/**
 * NIST SP 800-63B rules, the same at sign-up, change and reset: a minimum length, no composition
 * rules, not a known common password, not the email; then a strength estimate (zxcvbn-ts, with its
 * breach-corpus and diceware dictionaries) that refuses what scores below AUTH_PASSWORD_MIN_SCORE
 * (twelve spaces, "abcdefghijkl", the user's own name with a year). Passwords are compared exactly
 * as sent.
 */
@Injectable()
export class PasswordPolicy {
  private estimator?: Promise<Estimator>;

  constructor(@Inject(authConfig.KEY) private readonly auth: AuthConfig) {}

  /**
   * Throws `PasswordRejectedError` naming `field` when the password may not be used. `personal`
   * holds what else is known of the user (the name): a password built from it is weak.
   */
  async check(password: string, email: string, field = 'password', personal: string[] = []): Promise<void> {
    const reason = this.reasonToReject(password, email, personal, await (this.estimator ??= loadEstimator()));
    if (reason) throw new PasswordRejectedError(field, reason);
  }

  private reasonToReject(
    password: string,
    email: string,
    personal: string[],
    estimator: Estimator,
  ): string | undefined {
    const length = [...password].length;
    if (length < this.auth.passwordMinLength)
      return `must be at least ${this.auth.passwordMinLength} characters long`;
    if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters long`;
    if (password.toLowerCase() === email.toLowerCase()) return 'must not be the email address';
    if (estimator.common.has(password.toLowerCase())) {
      return 'is too common; choose a less guessable passphrase';
    }
    return this.weakness(password, [email, ...personal], estimator.zxcvbn);
  }

  /** zxcvbn matches what it knows of the user word by word: "ada.lovelace@x" gives "ada" and "lovelace". */
  private weakness(password: string, known: string[], zxcvbn: ZxcvbnFactory): string | undefined {
    const words = known.flatMap((text) => text.split(/[^\p{L}\p{N}]+/u)).filter((word) => word.length >= 3);
    const { score, feedback } = zxcvbn.check(password, [...known, ...words]);
    if (score >= this.auth.passwordMinScore) return undefined;
    const why =
      (feedback.warning && WEAKNESSES[feedback.warning]) || 'it follows a pattern that is easy to guess';
    return `is too easy to guess (${why}); a few uncommon words make a strong passphrase`;
  }
}
