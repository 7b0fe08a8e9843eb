import type { AuthConfig } from '../config/auth.config.js';
import { PasswordPolicy, PasswordRejectedError } from './password-policy.js';

describe('PasswordPolicy', () => {
  // A policy per test: it loads its dictionaries at its first check, so each test runs that load.
  let policy: PasswordPolicy;
  beforeEach(() => {
    policy = new PasswordPolicy({ passwordMinLength: 12, passwordMinScore: 3 } as AuthConfig);
  });
  const email = 'ada@example.com';

  /** The problem's errors for `password`, or none when the policy accepts it. */
  async function errorsFor(password: string, field: string, personal: string[]): Promise<unknown[]> {
    try {
      await policy.check(password, email, field, personal);
      return [];
    } catch (error) {
      return error instanceof PasswordRejectedError ? error.errors : [error];
    }
  }

  /** The one reason the policy gives for `password`, on `field`, or undefined when it accepts it. */
  async function reasonFor(
    password: string,
    field = 'password',
    personal: string[] = [],
  ): Promise<string | undefined> {
    const errors = (await errorsFor(password, field, personal)) as { pointer: string; detail: string }[];
    expect(errors.length).toBeLessThanOrEqual(1);
    expect(errors.map(({ pointer }) => pointer)).toEqual(errors.length ? [`#/${field}`] : []);
    return errors[0]?.detail;
  }

  it('accepts a long, uncommon passphrase of any characters', async () => {
    expect(await reasonFor('correct horse battery 42')).toBeUndefined();
    expect(await reasonFor('ünïcødé 🐴 battery')).toBeUndefined();
  });

  it.each([
    ['too short', 'short pass1', 'at least 12 characters'],
    ['common', 'password1234', 'too common'],
    ['common in another case', 'PASSWORD1234', 'too common'],
    ['common (a keyboard walk)', 'qwertyuiop12', 'too common'],
    ['the email', 'ADA@example.com', 'must not be the email'],
    ['too long', 'x'.repeat(129), 'at most 128'],
    ['twelve spaces', ' '.repeat(12), 'repeated characters'],
    ['a run of the alphabet', 'abcdefghijkl', 'a sequence'],
  ])('rejects a password that is %s, naming the field and the reason', async (_, password, reason) => {
    expect(await reasonFor(password, 'newPassword')).toContain(reason);
  });

  it('weighs what else is known of the user, word by word', async () => {
    expect(await reasonFor('lovelace1815')).toBeUndefined();
    expect(await reasonFor('lovelace1815', 'password', ['Augusta Ada Lovelace'])).toContain('the name');
  });

  it('counts characters, not UTF-16 units', async () => {
    const twelveHorses = '🐴🐎🦄🐴🐎🦄🐴🐎🦄🐴🐎🦄';
    expect(await reasonFor(twelveHorses.slice(0, -2))).toContain('at least 12 characters');
    expect(await reasonFor(`${twelveHorses.slice(0, -2)}🦓`)).toBeUndefined();
  });

  it('judges a long password by its first 64 characters, which can only make it look weaker', async () => {
    expect(await reasonFor(`${' '.repeat(64)}correct horse battery 42`)).toContain('repeated characters');
    expect(await reasonFor(`correct horse battery 42 ${'x'.repeat(100)}`)).toBeUndefined();
  });

  it('accepts exactly 128 characters, and names the field it refuses in the message', async () => {
    const atTheLimit = `correct horse battery 42 ${'x'.repeat(128 - 25)}`;
    expect([...atTheLimit]).toHaveLength(128);
    expect(await reasonFor(atTheLimit)).toBeUndefined();
    await expect(policy.check('short pass1', email, 'password')).rejects.toThrow(
      'The password was not accepted: must be at least 12 characters long',
    );
    await expect(policy.check('short pass1', email, 'newPassword')).rejects.toThrow(
      'The new password was not accepted: must be at least 12 characters long',
    );
  });

  it('knows the name by its words, whatever punctuation joins them', async () => {
    expect(await reasonFor('lovelace1815', 'password', ['Al-Lovelace'])).toContain('the name');
  });

  it('blames the password field when no other is named', async () => {
    await expect(policy.check('short pass1', email)).rejects.toThrow(
      expect.objectContaining({ errors: [expect.objectContaining({ pointer: '#/password' })] }),
    );
  });
});
