import type { AuthConfig } from '../config/auth.config.js';
import { PasswordPolicy, PasswordRejectedError } from './password-policy.js';

describe('PasswordPolicy', () => {
  const policy = new PasswordPolicy({ passwordMinLength: 12 } as AuthConfig);
  const email = 'ada@example.com';

  it('accepts a long, uncommon passphrase of any characters', () => {
    expect(() => policy.check('correct horse battery 42', email)).not.toThrow();
    expect(() => policy.check('ünïcødé 🐴 battery', email)).not.toThrow();
  });

  it.each([
    ['too short', 'short pass1'],
    ['common', 'password1234'],
    ['common in another case', 'PASSWORD1234'],
    ['common (a keyboard walk)', 'qwertyuiop12'],
    ['the email', 'ADA@example.com'],
    ['too long', 'x'.repeat(129)],
  ])('rejects a password that is %s, naming the field', (_, password) => {
    let rejected: unknown;
    try {
      policy.check(password, email, 'newPassword');
    } catch (error) {
      rejected = error;
    }
    expect(rejected).toBeInstanceOf(PasswordRejectedError);
    expect((rejected as PasswordRejectedError).errors).toEqual([
      { pointer: '#/newPassword', detail: expect.any(String) },
    ]);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(() => policy.check('🐴'.repeat(11), email)).toThrow(PasswordRejectedError);
    expect(() => policy.check('🐴'.repeat(12), email)).not.toThrow();
  });
});
