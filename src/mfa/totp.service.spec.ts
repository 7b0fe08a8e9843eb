import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { AuditLog } from '../audit/audit-log.js';
import type { CredentialChecks } from '../auth/credential-checks.js';
import type { MfaChallenges } from '../auth/mfa-challenges.js';
import type { SessionPrincipal } from '../access/principal.js';
import type { SessionsService } from '../auth/sessions.service.js';
import type { Clock } from '../common/clock.js';
import { ServerKeys } from '../common/server-keys.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import type { SecurityNotices } from '../security-notices/security-notices.js';
import type { User } from '../users/entities/user.entity.js';
import type { UsersService } from '../users/users.service.js';
import {
  EmailNotVerifiedError,
  TotpAlreadyEnabledError,
  TotpNotSetUpError,
  WrongSecondFactorError,
} from './mfa.errors.js';
import { RECOVERY_CODE_COUNT, RecoveryCodeHashes } from './recovery-codes.js';
import type { SecondFactors } from './second-factors.js';
import type { SecondFactorsRepository } from './second-factors.repository.js';
import { SecretBox } from '../common/secret-box.js';
import { TotpService } from './totp.service.js';
import { aJournal } from '../../test/support/journal.js';

const NOW = new Date('2026-12-06T12:00:15.000Z');
const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;
const principal: SessionPrincipal = { userId: 'user-1', sessionId: 'session-1' } as SessionPrincipal;

/**
 * The service over fakes that write down what they were asked to do, in order: what a change does
 * to the account is the journal, and a statement a mutant drops is a line missing from it.
 */
function subject(user: Partial<User> = {}) {
  const account = {
    id: 'user-1',
    email: 'ada@example.com',
    emailVerified: true,
    totpEnabled: false,
    ...user,
  } as User;
  const { entries: journal, note } = aJournal();
  const box = new SecretBox(randomBytes(32));
  const hashes = new RecoveryCodeHashes(new ServerKeys(randomBytes(32)));
  const factor = { secretSealed: '', confirmedAt: null as Date | null };
  const outcomes = { password: true, setUp: true, spend: true, proof: true };
  const service = new TotpService(
    { mfaIssuer: 'Gatehouse Test' } as AuthConfig,
    {
      getById: async () => account,
      getForUpdate: note('lock user', () => account),
      setSecondFactors: note('set second factors'),
    } as unknown as UsersService,
    {
      checkCurrentPassword: note('check password', () => {
        if (!outcomes.password) throw new Error('wrong password');
      }),
      beginSecondFactor: async (_: User, options: object) => {
        journal.push(['check second factor', options]);
        return options;
      },
      settleSecondFactor: note('settle second factor'),
    } as unknown as CredentialChecks,
    { endAllOf: note('end sessions') } as unknown as SessionsService,
    { forgetAllOf: note('forget challenges') } as unknown as MfaChallenges,
    {
      setUpTotp: note('store secret', (_id: string, sealed: string) => {
        factor.secretSealed = sealed;
        return outcomes.setUp;
      }),
      findTotp: async () => (factor.secretSealed ? factor : null),
      spendStep: note('spend step', () => outcomes.spend),
      replaceRecoveryCodes: note('replace recovery codes'),
      deleteTotp: note('delete app'),
    } as unknown as SecondFactorsRepository,
    {
      withProof: async (_: User, proof: object, change: (u: User, t: Transaction) => Promise<void>) => {
        journal.push(['spend proof', proof]);
        if (!outcomes.proof) return false;
        await change(account, TRANSACTION);
        return true;
      },
    } as unknown as SecondFactors,
    box,
    hashes,
    { run: async (work: (t: Transaction) => Promise<void>) => work(TRANSACTION) } as unknown as Transactions,
    { now: () => NOW } as Clock,
    { record: note('audit') } as unknown as AuditLog,
    { send: note('notice') } as unknown as SecurityNotices,
  );
  const codeOf = (secret: string, at = NOW) =>
    new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
      timestamp: at.getTime(),
    });
  return { service, account, journal, box, hashes, factor, outcomes, codeOf };
}

describe('TotpService', () => {
  describe('setUp', () => {
    it('checks the password, stores the secret sealed for this user, and shows it as text, URI and QR code', async () => {
      const { service, journal, box, factor } = subject();
      const setup = await service.setUp(principal, 'the password');
      expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(box.open(factor.secretSealed, 'user-1')).toBe(setup.secret);
      expect(setup.otpauthUri).toBe(
        `otpauth://totp/Gatehouse%20Test:ada%40example.com?issuer=Gatehouse%20Test&secret=${setup.secret}&algorithm=SHA1&digits=6&period=30`,
      );
      expect(setup.qrCodeSvg).toMatch(/^<svg[^>]*>.*<\/svg>\s*$/s);
      expect(journal).toEqual([
        ['check password', expect.objectContaining({ id: 'user-1' }), 'the password'],
        ['store secret', 'user-1', factor.secretSealed, NOW],
      ]);
    });

    it('refuses a wrong password, an unverified address and an app already on, storing nothing', async () => {
      const wrong = subject();
      wrong.outcomes.password = false;
      await expect(wrong.service.setUp(principal, 'nope')).rejects.toThrow('wrong password');
      await expect(subject({ emailVerified: false }).service.setUp(principal, 'p')).rejects.toBeInstanceOf(
        EmailNotVerifiedError,
      );
      await expect(subject({ totpEnabled: true }).service.setUp(principal, 'p')).rejects.toBeInstanceOf(
        TotpAlreadyEnabledError,
      );
      // Turned on by another request between the check and the insert.
      const raced = subject();
      raced.outcomes.setUp = false;
      await expect(raced.service.setUp(principal, 'p')).rejects.toBeInstanceOf(TotpAlreadyEnabledError);
      expect(wrong.journal.map(([name]) => name)).toEqual(['check password']);
    });
  });

  describe('confirm', () => {
    it('turns the app on with its first code: recovery codes, other sessions ended, audited and told', async () => {
      const { service, journal, hashes, codeOf } = subject();
      const { secret } = await service.setUp(principal, 'p');
      journal.length = 0;
      const codes = await service.confirm(principal, codeOf(secret));
      expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
      expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
      const step = Math.floor(NOW.getTime() / 30_000);
      expect(journal).toEqual([
        ['lock user', 'user-1', TRANSACTION],
        ['spend step', 'user-1', step, { confirmAt: NOW, transaction: TRANSACTION }],
        ['replace recovery codes', 'user-1', codes.map((c) => hashes.of(c)), NOW, TRANSACTION],
        ['set second factors', 'user-1', { totpEnabled: true }, TRANSACTION],
        ['end sessions', 'user-1', { except: 'session-1', transaction: TRANSACTION }],
        ['forget challenges', 'user-1', TRANSACTION],
        ['audit', { type: 'mfa.totp-enabled', subjectUserId: 'user-1' }, TRANSACTION],
        ['notice', 'user-1', 'second-factor-added', TRANSACTION, { factor: 'totp' }],
      ]);
    });

    it('refuses a wrong code (naming #/code), no setup, and an app confirmed already', async () => {
      const { service, journal, codeOf, factor } = subject();
      await expect(service.confirm(principal, '000000')).rejects.toEqual(new TotpNotSetUpError(false));
      const { secret } = await service.setUp(principal, 'p');
      journal.length = 0;
      const wrong = service.confirm(principal, codeOf(secret, new Date(NOW.getTime() + 90_000)));
      await expect(wrong).rejects.toBeInstanceOf(WrongSecondFactorError);
      await expect(wrong).rejects.toMatchObject({ errors: [{ pointer: '#/code' }] });
      expect(journal).toEqual([]);
      factor.confirmedAt = NOW;
      await expect(service.confirm(principal, codeOf(secret))).rejects.toEqual(new TotpNotSetUpError(true));
    });

    it('refuses a code whose step another request spent first', async () => {
      const { service, outcomes, codeOf } = subject();
      const { secret } = await service.setUp(principal, 'p');
      outcomes.spend = false;
      await expect(service.confirm(principal, codeOf(secret))).rejects.toEqual(new TotpNotSetUpError(true));
    });
  });

  describe('disable and regenerateRecoveryCodes', () => {
    it('turn the app off with the password and a proof: factors gone, challenges forgotten, audited and told', async () => {
      const { service, journal } = subject({ totpEnabled: true });
      await service.disable(principal, 'p', { code: '123456' });
      expect(journal).toEqual([
        ['check password', expect.objectContaining({ id: 'user-1' }), 'p'],
        ['check second factor', { signIn: false, method: 'totp' }],
        ['spend proof', { code: '123456' }],
        ['delete app', 'user-1', TRANSACTION],
        ['set second factors', 'user-1', { totpEnabled: false }, TRANSACTION],
        ['forget challenges', 'user-1', TRANSACTION],
        ['audit', { type: 'mfa.totp-disabled', subjectUserId: 'user-1' }, TRANSACTION],
        ['notice', 'user-1', 'second-factor-removed', TRANSACTION, { factor: 'totp' }],
        ['settle second factor', { signIn: false, method: 'totp' }, true],
      ]);
    });

    it('issue new recovery codes, storing only their keyed hashes', async () => {
      const { service, journal, hashes } = subject({ totpEnabled: true });
      const codes = await service.regenerateRecoveryCodes(principal, 'p', { recoveryCode: 'ABCDE-FGHJK' });
      expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
      expect(journal.slice(1)).toEqual([
        ['check second factor', { signIn: false, method: 'recovery-code' }],
        ['spend proof', { recoveryCode: 'ABCDE-FGHJK' }],
        ['replace recovery codes', 'user-1', codes.map((c) => hashes.of(c)), NOW, TRANSACTION],
        ['audit', { type: 'mfa.recovery-codes-regenerated', subjectUserId: 'user-1' }, TRANSACTION],
        ['notice', 'user-1', 'recovery-codes-regenerated', TRANSACTION],
        ['settle second factor', { signIn: false, method: 'recovery-code' }, true],
      ]);
    });

    it('refuse an account without the app, and a wrong proof naming the field it came in', async () => {
      const { service } = subject();
      await expect(service.disable(principal, 'p', { code: '1' })).rejects.toEqual(
        new TotpNotSetUpError(false),
      );
      const enabled = subject({ totpEnabled: true });
      enabled.outcomes.proof = false;
      await expect(enabled.service.disable(principal, 'p', { code: '1' })).rejects.toMatchObject({
        errors: [{ pointer: '#/code' }],
      });
      await expect(
        enabled.service.regenerateRecoveryCodes(principal, 'p', { recoveryCode: 'X' }),
      ).rejects.toMatchObject({ errors: [{ pointer: '#/recoveryCode' }] });
      expect(enabled.journal.map(([name]) => name)).not.toContain('delete app');
    });
  });
});
