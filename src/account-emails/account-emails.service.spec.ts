import type { AuditLog, AuditRecord } from '../audit/audit-log.js';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { AccountSuspendedError } from '../auth/auth.errors.js';
import type { SessionPrincipal } from '../access/principal.js';
import type { SessionsService } from '../auth/sessions.service.js';
import type { MfaChallenges } from '../auth/mfa-challenges.js';
import type { MfaResetService } from '../mfa/mfa-reset.service.js';
import type { CredentialChecks } from '../auth/credential-checks.js';
import type { Clock } from '../common/clock.js';
import {
  SECURITY_NOTICE_QUEUE,
  type SecurityNoticeJob,
  type SecurityNotices,
} from '../security-notices/security-notices.js';
import { RequestContext, type Origin } from '../common/request-context.js';
import { hashOpaqueToken } from '../common/opaque-tokens.js';
import type { AppConfig } from '../config/app.config.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import { DomainEvents } from '../events/domain-events.js';
import type { JobsService } from '../jobs/jobs.service.js';
import type { Mailer } from '../mail/mailer.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicy, PasswordRejectedError } from '../passwords/password-policy.js';
import type { AccountRateLimit } from '../rate-limit/rate-limit.js';
import type { User } from '../users/entities/user.entity.js';
import { UserNotFoundError } from '../users/users.errors.js';
import type { UsersService } from '../users/users.service.js';
import { AccountEmailSender } from './account-email.sender.js';
import { ACCOUNT_EMAIL_QUEUE, type AccountEmailJob } from './account-email.job.js';
import { InvalidAccountTokenError, TooManyEmailsError, UserSuspendedError } from './account-emails.errors.js';
import { AccountEmailsService } from './account-emails.service.js';
import { AccountLinks } from './account-links.js';
import { EmailChangeService } from './email-change.service.js';
import { bindingOf } from './account-token-binding.js';
import type { AccountTokensRepository, SpentToken } from './account-tokens.repository.js';
import type { AccountToken } from './entities/account-token.entity.js';

Logger.overrideLogger(false);

const NOW = new Date('2026-11-29T12:00:00.000Z');
const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;
const ADA: User = {
  id: '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e',
  email: 'Ada@Example.com',
  emailCanonical: 'ada@example.com',
  name: 'Ada',
  passwordHash: '$argon2id$the-current-hash',
  role: 'user',
  emailVerified: false,
  status: 'active',
  suspendedAt: null,
  suspensionReason: null,
  linksRevokedAt: null,
  totpEnabled: false,
  passkeyCount: 0,
  createdAt: NOW,
  updatedAt: NOW,
};

/** Collaborators faked; the SQL of tokens and users is tested against PostgreSQL in test/account-emails. */
function collaborators(user: User | null = ADA) {
  return {
    tokens: {
      findUsable: jest.fn(async (): Promise<Partial<AccountToken> | null> => null),
      spend: jest.fn(async (): Promise<SpentToken | null> => null),
      insert: jest.fn(async () => undefined),
      delete: jest.fn(async () => undefined),
      deleteAllOf: jest.fn(async () => undefined),
      pendingEmailChange: jest.fn(async (): Promise<Pick<AccountToken, 'newEmail' | 'boundTo'> | null> => ({
        newEmail: 'ada@new.example',
        boundTo: bindingOf('change-email', ADA),
      })),
      issueEmailChange: jest.fn(async () => true),
      discardEmailChange: jest.fn(async () => undefined),
    },
    users: {
      findById: jest.fn(async () => user),
      getById: jest.fn(async () => {
        if (!user) throw new UserNotFoundError();
        return user;
      }),
      findByEmail: jest.fn(async () => user),
      findForUpdate: jest.fn(async () => user),
      getForUpdate: jest.fn(async () => user!),
      markEmailVerified: jest.fn(async () => undefined),
      checkNewEmail: jest.fn(),
      changeEmail: jest.fn(async () => undefined),
      setPasswordHash: jest.fn(async () => undefined),
    },
    sessions: { endAllOf: jest.fn(async () => undefined) },
    jobs: { enqueue: jest.fn(async () => undefined), defineQueue: jest.fn() },
    events: new DomainEvents(),
    limits: { emailRetryAfter: jest.fn(async (_account: string) => 0) },
    hasher: { hash: jest.fn(async (password: string) => `hash:${password}`) },
    mailer: {
      send: jest.fn(async (_mail: { to: string; text: string }) => undefined),
      probe: jest.fn(async () => undefined),
    },
    auth: { checkCurrentPassword: jest.fn(async () => undefined) },
    challenges: { forgetAllOf: jest.fn(async () => undefined) },
    secondFactors: { removeAllOf: jest.fn(async () => undefined) },
    notices: { send: jest.fn(async (..._notice: unknown[]) => undefined) },
    audit: { record: jest.fn(async (_event: AuditRecord, _transaction?: Transaction) => undefined) },
    transactions: { run: jest.fn((work: (t: Transaction) => Promise<unknown>) => work(TRANSACTION)) },
  };
}

/** Built once: its dictionaries take a moment to rank. */
const POLICY = new PasswordPolicy({ passwordMinLength: 12, passwordMinScore: 3 } as AuthConfig);

function linksOf(c: ReturnType<typeof collaborators>, transactions: unknown) {
  return new AccountLinks(
    c.tokens as unknown as AccountTokensRepository,
    c.users as unknown as UsersService,
    transactions as Transactions,
    c.limits as unknown as AccountRateLimit,
    { now: () => NOW } as Clock,
  );
}
const transactionsOf = () => ({
  run: jest.fn((work: (t: Transaction) => Promise<unknown>) => work(TRANSACTION)),
});

function service(c = collaborators()) {
  const transactions = transactionsOf();
  return new AccountEmailsService(
    linksOf(c, transactions),
    c.tokens as unknown as AccountTokensRepository,
    c.users as unknown as UsersService,
    c.sessions as unknown as SessionsService,
    transactions as unknown as Transactions,
    c.jobs as unknown as JobsService,
    c.hasher as unknown as PasswordHasher,
    POLICY,
    c.challenges as unknown as MfaChallenges,
    c.secondFactors as unknown as MfaResetService,
    c.notices as unknown as SecurityNotices,
    c.audit as unknown as AuditLog,
  );
}

function emailChange(c = collaborators()) {
  const transactions = transactionsOf();
  return new EmailChangeService(
    linksOf(c, transactions),
    c.tokens as unknown as AccountTokensRepository,
    c.users as unknown as UsersService,
    c.sessions as unknown as SessionsService,
    c.auth as unknown as CredentialChecks,
    transactions as unknown as Transactions,
    c.jobs as unknown as JobsService,
    c.notices as unknown as SecurityNotices,
    { now: () => NOW } as Clock,
    c.audit as unknown as AuditLog,
    { emailChangeTtlSeconds: 3600 } as AuthConfig,
  );
}

/** What the service logged at each level, with the logger's context: operators read these. */
function logged() {
  const lines: Record<'log' | 'warn', string[]> = { log: [], warn: [] };
  for (const level of ['log', 'warn'] as const)
    jest.spyOn(Logger.prototype, level).mockImplementation(function (this: Logger, message: unknown) {
      lines[level].push(`[${(this as unknown as { context: string }).context}] ${String(message)}`);
    });
  return lines;
}
afterEach(() => jest.restoreAllMocks());

/** A reset link that `findUsable` and `spend` both find for `user` (as it is now, or as it was). */
function withResetLink(c: ReturnType<typeof collaborators>, user: User = ADA) {
  c.tokens.findUsable.mockResolvedValueOnce({ userId: user.id, boundTo: bindingOf('reset-password', user) });
  c.tokens.spend.mockResolvedValueOnce(spent('reset-password', user));
  return c;
}

/** A token that spending finds, bound to what `user` has now (or to something else). */
const spent = (purpose: 'verify-email' | 'reset-password', user: User = ADA) => ({
  userId: user.id,
  boundTo: bindingOf(purpose, user),
});

describe('AccountEmailsService', () => {
  describe('verifyEmail', () => {
    it('spends the token and marks the address verified in one transaction, the user locked', async () => {
      const c = collaborators();
      c.tokens.spend.mockResolvedValueOnce(spent('verify-email'));
      await service(c).verifyEmail('the-token');
      expect(c.tokens.spend).toHaveBeenCalledWith(
        'verify-email',
        hashOpaqueToken('the-token'),
        NOW,
        TRANSACTION,
      );
      expect(c.users.findForUpdate).toHaveBeenCalledWith(ADA.id, TRANSACTION);
      expect(c.users.markEmailVerified).toHaveBeenCalledWith(ADA.id, TRANSACTION);
    });

    it('records the verification in its transaction, and logs it under Auth', async () => {
      const lines = logged();
      const c = collaborators();
      c.tokens.spend.mockResolvedValueOnce(spent('verify-email'));
      await service(c).verifyEmail('the-token');
      expect(c.audit.record.mock.calls).toEqual([
        [{ type: 'email.verified', subjectUserId: ADA.id }, TRANSACTION],
      ]);
      expect(lines.log).toEqual([`[Auth] email verified (user ${ADA.id})`]);
    });

    it('refuses a token that is not there, or whose address has changed since it was sent', async () => {
      const c = collaborators();
      await expect(service(c).verifyEmail('unknown')).rejects.toThrow(InvalidAccountTokenError);
      c.tokens.spend.mockResolvedValueOnce(spent('verify-email', { ...ADA, email: 'old@example.com' }));
      await expect(service(c).verifyEmail('stale')).rejects.toThrow(InvalidAccountTokenError);
      expect(c.users.markEmailVerified).not.toHaveBeenCalled();
    });
  });

  describe('resetPassword', () => {
    it('checks the token before hashing, so a dead link costs no hash', async () => {
      const c = collaborators();
      await expect(service(c).resetPassword('dead', 'a new passphrase 42')).rejects.toThrow(
        InvalidAccountTokenError,
      );
      expect(c.hasher.hash).not.toHaveBeenCalled();
    });

    it('checks the new password like sign-up, and spends nothing when it refuses one', async () => {
      const c = collaborators();
      c.tokens.findUsable.mockResolvedValueOnce({
        userId: ADA.id,
        boundTo: bindingOf('reset-password', ADA),
      });
      await expect(service(c).resetPassword('good', ADA.email)).rejects.toThrow(PasswordRejectedError);
      expect(c.tokens.spend).not.toHaveBeenCalled();
    });

    it('sets the password, counts the address verified and ends every session, in one transaction', async () => {
      const c = collaborators();
      c.tokens.findUsable.mockResolvedValueOnce({
        userId: ADA.id,
        boundTo: bindingOf('reset-password', ADA),
      });
      c.tokens.spend.mockResolvedValueOnce(spent('reset-password'));
      await service(c).resetPassword('good', 'a new passphrase 42');
      expect(c.users.setPasswordHash).toHaveBeenCalledWith(ADA.id, 'hash:a new passphrase 42', TRANSACTION);
      expect(c.users.markEmailVerified).toHaveBeenCalledWith(ADA.id, TRANSACTION);
      expect(c.sessions.endAllOf).toHaveBeenCalledWith(ADA.id, { transaction: TRANSACTION });
    });

    it('refuses a token whose password changed another way while the new one was hashed', async () => {
      const c = collaborators();
      c.tokens.findUsable.mockResolvedValueOnce({
        userId: ADA.id,
        boundTo: bindingOf('reset-password', ADA),
      });
      c.tokens.spend.mockResolvedValueOnce(spent('reset-password'));
      c.users.findForUpdate.mockResolvedValueOnce({ ...ADA, passwordHash: '$argon2id$changed-meanwhile' });
      await expect(service(c).resetPassword('good', 'a new passphrase 42')).rejects.toThrow(
        InvalidAccountTokenError,
      );
      expect(c.users.setPasswordHash).not.toHaveBeenCalled();
      expect(c.sessions.endAllOf).not.toHaveBeenCalled();
    });

    it('refuses a suspended account’s link before hashing, and one suspended meanwhile in the transaction', async () => {
      const suspended: User = { ...ADA, status: 'suspended', suspendedAt: NOW, suspensionReason: 'x' };
      const before = collaborators(suspended);
      before.tokens.findUsable.mockResolvedValueOnce({
        userId: ADA.id,
        boundTo: bindingOf('reset-password', ADA),
      });
      await expect(service(before).resetPassword('good', 'a new passphrase 42')).rejects.toThrow(
        AccountSuspendedError,
      );
      expect(before.hasher.hash).not.toHaveBeenCalled();
      expect(before.tokens.spend).not.toHaveBeenCalled();

      const meanwhile = collaborators();
      meanwhile.tokens.findUsable.mockResolvedValueOnce({
        userId: ADA.id,
        boundTo: bindingOf('reset-password', ADA),
      });
      meanwhile.tokens.spend.mockResolvedValueOnce(spent('reset-password'));
      meanwhile.users.findForUpdate.mockResolvedValueOnce(suspended);
      await expect(service(meanwhile).resetPassword('good', 'a new passphrase 42')).rejects.toThrow(
        AccountSuspendedError,
      );
      expect(meanwhile.users.setPasswordHash).not.toHaveBeenCalled();
      expect(meanwhile.sessions.endAllOf).not.toHaveBeenCalled();
    });
  });

  describe('a reset link checked before anything is hashed', () => {
    it('tells a suspended account so even when the suspension revoked its links', async () => {
      const revoked: User = {
        ...ADA,
        status: 'suspended',
        suspendedAt: NOW,
        suspensionReason: 'x',
        linksRevokedAt: NOW,
      };
      const c = collaborators(revoked);
      // Bound to the account as it was before the suspension.
      c.tokens.findUsable.mockResolvedValueOnce({
        userId: ADA.id,
        boundTo: bindingOf('reset-password', ADA),
      });
      await expect(service(c).resetPassword('good', 'a new passphrase 42')).rejects.toThrow(
        AccountSuspendedError,
      );
      expect(c.hasher.hash).not.toHaveBeenCalled();
    });

    it('refuses a link whose binding is stale without hashing the new password', async () => {
      const c = collaborators();
      const before = { ...ADA, passwordHash: '$argon2id$an-older-hash' };
      c.tokens.findUsable.mockResolvedValueOnce({
        userId: ADA.id,
        boundTo: bindingOf('reset-password', before),
      });
      await expect(service(c).resetPassword('stale', 'a new passphrase 42')).rejects.toThrow(
        InvalidAccountTokenError,
      );
      expect(c.hasher.hash).not.toHaveBeenCalled();
      expect(c.tokens.spend).not.toHaveBeenCalled();
    });
  });

  describe('what a reset reclaims', () => {
    const reclaimed = (c: ReturnType<typeof collaborators>) => ({
      factors: c.secondFactors.removeAllOf.mock.calls.length,
      challenges: c.challenges.forgetAllOf.mock.calls,
      audit: c.audit.record.mock.calls,
      notices: c.notices.send.mock.calls,
      tokens: c.tokens.deleteAllOf.mock.calls,
    });

    it('on a verified address: pending sign-ins and other links end, the factors stay', async () => {
      const verified = { ...ADA, emailVerified: true };
      const c = withResetLink(collaborators(verified), verified);
      await service(c).resetPassword('good', 'a new passphrase 42');
      expect(reclaimed(c)).toEqual({
        factors: 0,
        challenges: [[ADA.id, TRANSACTION]],
        audit: [
          [{ type: 'password.reset-completed', subjectUserId: ADA.id, details: undefined }, TRANSACTION],
        ],
        notices: [[ADA.id, 'password-reset', TRANSACTION]],
        tokens: [[ADA.id, undefined, TRANSACTION]],
      });
    });

    it('on an address nobody had proved: the second factors go too, and the event says reclaimed (I1)', async () => {
      const c = withResetLink(collaborators());
      await service(c).resetPassword('good', 'a new passphrase 42');
      expect(c.secondFactors.removeAllOf).toHaveBeenCalledWith(ADA, TRANSACTION);
      expect(c.challenges.forgetAllOf).not.toHaveBeenCalled();
      expect(c.audit.record).toHaveBeenCalledWith(
        { type: 'password.reset-completed', subjectUserId: ADA.id, details: { reclaimed: true } },
        TRANSACTION,
      );
    });

    it('refuses a new password made of the account’s name', async () => {
      const named = { ...ADA, name: 'Quillon Vexmorant' };
      const c = withResetLink(collaborators(named), named);
      await expect(service(c).resetPassword('good', 'quillonvexmorant')).rejects.toMatchObject({
        constructor: PasswordRejectedError,
        errors: [{ pointer: '#/newPassword' }],
      });
      const other = withResetLink(collaborators());
      await service(other).resetPassword('good', 'quillonvexmorant');
      expect(other.users.setPasswordHash).toHaveBeenCalled();
    });

    it('logs the reset under Auth', async () => {
      const lines = logged();
      await service(withResetLink(collaborators())).resetPassword('good', 'a new passphrase 42');
      expect(lines.log).toEqual([`[Auth] password reset; every session ended (user ${ADA.id})`]);
    });

    it('by an operator: the same, every second factor removed whatever the address, on the locked row', async () => {
      const lines = logged();
      const verified = { ...ADA, emailVerified: true };
      const c = collaborators(verified);
      await service(c).resetByOperator(ADA.id, 'a new passphrase 42');
      expect(c.users.getForUpdate).toHaveBeenCalledWith(ADA.id, TRANSACTION);
      expect(c.users.setPasswordHash).toHaveBeenCalledWith(ADA.id, 'hash:a new passphrase 42', TRANSACTION);
      expect(c.sessions.endAllOf).toHaveBeenCalledWith(ADA.id, { transaction: TRANSACTION });
      expect(c.secondFactors.removeAllOf).toHaveBeenCalledWith(verified, TRANSACTION);
      expect(lines.warn).toEqual([`[Auth] account reset by an operator (user ${ADA.id})`]);
      const weak = collaborators({ ...ADA, name: 'Quillon Vexmorant' });
      await expect(service(weak).resetByOperator(ADA.id, 'quillonvexmorant')).rejects.toMatchObject({
        constructor: PasswordRejectedError,
        errors: [{ pointer: '#/password' }],
      });
      expect(weak.hasher.hash).not.toHaveBeenCalled();
    });
  });

  describe("an admin's password reset", () => {
    it('queues the reset mail to the user under the per-address budget forgot-password uses', async () => {
      const lines = logged();
      const c = collaborators();
      await service(c).sendPasswordReset(ADA.id);
      expect(lines.log).toEqual([`[Auth] password reset mailed at an admin's request (user ${ADA.id})`]);
      expect(c.limits.emailRetryAfter).toHaveBeenCalledWith(ADA.emailCanonical);
      expect(c.jobs.enqueue).toHaveBeenCalledWith('account-email', {
        kind: 'reset-password',
        email: ADA.email,
      });
    });

    it('refuses a suspended user and an unknown one, queueing nothing', async () => {
      const suspended = collaborators({
        ...ADA,
        status: 'suspended',
        suspendedAt: NOW,
        suspensionReason: 'x',
      });
      await expect(service(suspended).sendPasswordReset(ADA.id)).rejects.toThrow(UserSuspendedError);
      const unknown = collaborators(null);
      await expect(service(unknown).sendPasswordReset(ADA.id)).rejects.toThrow(UserNotFoundError);
      expect([...suspended.jobs.enqueue.mock.calls, ...unknown.jobs.enqueue.mock.calls]).toEqual([]);
    });
  });

  describe('asking for mail', () => {
    it('counts a reset request against the address however it is spelled, and queues it', async () => {
      const c = collaborators();
      await service(c).forgotPassword('Ada@Example.com');
      expect(c.limits.emailRetryAfter).toHaveBeenCalledWith('ada@example.com');
      expect(c.jobs.enqueue).toHaveBeenCalledWith(ACCOUNT_EMAIL_QUEUE, {
        kind: 'reset-password',
        email: 'Ada@Example.com',
      });
    });

    it('queues nothing over the per-account budget', async () => {
      const c = collaborators();
      c.limits.emailRetryAfter.mockResolvedValueOnce(120);
      await expect(service(c).forgotPassword(ADA.email)).rejects.toMatchObject({
        constructor: TooManyEmailsError,
        retryAfterSeconds: 120,
      });
      expect(c.jobs.enqueue).not.toHaveBeenCalled();
    });

    it('queues a verification mail for an address not verified yet', async () => {
      const c = collaborators();
      await service(c).resendVerification({ userId: ADA.id, user: ADA } as SessionPrincipal);
      expect(c.jobs.enqueue.mock.calls).toEqual([
        [ACCOUNT_EMAIL_QUEUE, { kind: 'verify-email', userId: ADA.id }],
      ]);
    });

    it('queues no verification mail for an address verified already (the request still counts)', async () => {
      const c = collaborators();
      const principal = { userId: ADA.id, user: { ...ADA, emailVerified: true } } as SessionPrincipal;
      await service(c).resendVerification(principal);
      expect(c.limits.emailRetryAfter).toHaveBeenCalledWith(ADA.id);
      expect(c.jobs.enqueue).not.toHaveBeenCalled();
    });
  });
});

describe('AccountEmailsService: email change', () => {
  const principal = { userId: ADA.id, sessionId: 'the-asking-session', user: ADA } as SessionPrincipal;

  it('checks the address before the password, and the password before counting a mail', async () => {
    const c = collaborators();
    const order: string[] = [];
    c.users.checkNewEmail.mockImplementation(() => order.push('address'));
    c.auth.checkCurrentPassword.mockImplementation(async () => void order.push('password'));
    c.limits.emailRetryAfter.mockImplementation(async (key: string) => (order.push(`limit ${key}`), 0));
    await emailChange(c).request(principal, 'Ada@New.Example', 'the password');
    expect(order).toEqual(['address', 'password', `limit ${ADA.id}`, 'limit ada@new.example']);
    expect(c.auth.checkCurrentPassword).toHaveBeenCalledWith(ADA, 'the password');
  });

  it('replaces an earlier request with this one and queues its two mails, in one transaction', async () => {
    const c = collaborators();
    await emailChange(c).request(principal, 'Ada@New.Example', 'the password');
    expect(c.tokens.deleteAllOf).toHaveBeenCalledWith(ADA.id, 'change-email', TRANSACTION);
    expect(c.tokens.insert).toHaveBeenCalledWith(
      expect.objectContaining({
        purpose: 'change-email',
        userId: ADA.id,
        newEmail: 'Ada@New.Example',
        sessionId: 'the-asking-session',
        boundTo: bindingOf('change-email', ADA),
        createdAt: NOW,
        expiresAt: new Date(NOW.getTime() + 3_600_000),
      }),
      TRANSACTION,
    );
    expect(c.jobs.enqueue.mock.calls).toEqual([
      [
        ACCOUNT_EMAIL_QUEUE,
        { kind: 'email-change-notice', userId: ADA.id, to: ADA.email, newEmail: 'Ada@New.Example' },
        TRANSACTION,
      ],
      [
        ACCOUNT_EMAIL_QUEUE,
        { kind: 'change-email', userId: ADA.id, requestedAt: NOW.toISOString() },
        TRANSACTION,
      ],
    ]);
  });

  it('records the request with the new address in its transaction, and logs it', async () => {
    const lines = logged();
    const c = collaborators();
    await emailChange(c).request(principal, 'ada@new.example', 'the password');
    expect(c.audit.record.mock.calls).toEqual([
      [
        { type: 'email.change-requested', subjectUserId: ADA.id, details: { newEmail: 'ada@new.example' } },
        TRANSACTION,
      ],
    ]);
    expect(lines.log).toEqual([`[Auth] email change asked for (user ${ADA.id})`]);
  });

  it('queues nothing, and counts nothing, when the password is wrong', async () => {
    const c = collaborators();
    c.auth.checkCurrentPassword.mockRejectedValueOnce(new Error('wrong password'));
    await expect(emailChange(c).request(principal, 'ada@new.example', 'nope')).rejects.toThrow('wrong');
    expect(c.limits.emailRetryAfter).not.toHaveBeenCalled();
    expect(c.jobs.enqueue).not.toHaveBeenCalled();
    expect(c.tokens.insert).not.toHaveBeenCalled();
  });

  it('confirms in one transaction: the new address, the other tokens gone, the other sessions ended', async () => {
    const c = collaborators();
    c.tokens.spend.mockResolvedValueOnce({
      userId: ADA.id,
      boundTo: bindingOf('change-email', ADA),
      newEmail: 'ada@new.example',
      sessionId: 'the-asking-session',
    });
    await emailChange(c).confirm('the-token');
    expect(c.tokens.spend).toHaveBeenCalledWith(
      'change-email',
      hashOpaqueToken('the-token'),
      NOW,
      TRANSACTION,
    );
    expect(c.users.changeEmail).toHaveBeenCalledWith(ADA.id, 'ada@new.example', TRANSACTION);
    expect(c.tokens.deleteAllOf).toHaveBeenCalledWith(ADA.id, undefined, TRANSACTION);
    expect(c.sessions.endAllOf).toHaveBeenCalledWith(ADA.id, {
      except: 'the-asking-session',
      transaction: TRANSACTION,
    });
  });

  it('records both addresses, tells both of them, and logs it', async () => {
    const lines = logged();
    const c = collaborators();
    c.tokens.spend.mockResolvedValueOnce({
      userId: ADA.id,
      boundTo: bindingOf('change-email', ADA),
      newEmail: 'ada@new.example',
      sessionId: null,
    });
    await emailChange(c).confirm('the-token');
    expect(c.audit.record.mock.calls).toEqual([
      [
        {
          type: 'email.change-confirmed',
          subjectUserId: ADA.id,
          details: { previousEmail: ADA.email, email: 'ada@new.example' },
        },
        TRANSACTION,
      ],
    ]);
    expect(c.notices.send.mock.calls).toEqual([
      [ADA.id, 'email-changed', TRANSACTION, { to: ADA.email, newEmail: 'ada@new.example' }],
      [ADA.id, 'email-changed', TRANSACTION, { newEmail: 'ada@new.example' }],
    ]);
    // A change asked for by a session since ended keeps no session.
    expect(c.sessions.endAllOf).toHaveBeenCalledWith(ADA.id, { except: undefined, transaction: TRANSACTION });
    expect(lines.log).toEqual([`[Auth] email changed; every other session ended (user ${ADA.id})`]);
  });

  it('refuses a suspended account’s link, and changes nothing', async () => {
    const suspended: User = { ...ADA, status: 'suspended', suspendedAt: NOW, suspensionReason: 'x' };
    const c = collaborators(suspended);
    c.tokens.spend.mockResolvedValueOnce({
      userId: ADA.id,
      boundTo: bindingOf('change-email', suspended),
      newEmail: 'ada@new.example',
      sessionId: null,
    });
    await expect(emailChange(c).confirm('the-token')).rejects.toBeInstanceOf(AccountSuspendedError);
    expect(c.users.changeEmail).not.toHaveBeenCalled();
    expect(c.notices.send).not.toHaveBeenCalled();
  });

  it('refuses a link whose password changed since it was asked for', async () => {
    const c = collaborators();
    const before = { ...ADA, passwordHash: '$argon2id$the-old-hash' };
    c.tokens.spend.mockResolvedValueOnce({ userId: ADA.id, boundTo: bindingOf('change-email', before) });
    await expect(emailChange(c).confirm('the-token')).rejects.toBeInstanceOf(InvalidAccountTokenError);
    expect(c.users.changeEmail).not.toHaveBeenCalled();
  });
});

describe('AccountEmailSender', () => {
  const sender = (c = collaborators()) => senderWith(c, new RequestContext());
  function senderWith(c: ReturnType<typeof collaborators>, context: RequestContext) {
    return new AccountEmailSender(
      c.jobs as unknown as JobsService,
      c.users as unknown as UsersService,
      c.tokens as unknown as AccountTokensRepository,
      c.mailer as unknown as Mailer,
      { now: () => NOW } as Clock,
      c.transactions as unknown as Transactions,
      c.audit as unknown as AuditLog,
      context,
      c.events,
      { publicUrl: 'https://app.example.test' } as AppConfig,
      {
        verifyEmailTtlSeconds: 86_400,
        passwordResetTtlSeconds: 1_800,
        emailChangeTtlSeconds: 3_600,
      } as AuthConfig,
    );
  }
  const send = (c: ReturnType<typeof collaborators>, job: AccountEmailJob, retryCount = 0) =>
    sender(c).send(job, { id: 'job-1', retryCount });

  it('queues the welcome mail when an account signs up, in the sign-up’s transaction', async () => {
    const c = collaborators();
    sender(c).onModuleInit();
    await c.events.publish('account.signed-up', { userId: ADA.id }, TRANSACTION);
    expect(c.jobs.enqueue).toHaveBeenCalledWith(
      ACCOUNT_EMAIL_QUEUE,
      { kind: 'welcome', userId: ADA.id },
      TRANSACTION,
    );
  });

  it('mails a link built from APP_PUBLIC_URL, whose token is stored hashed, bound and expiring', async () => {
    const c = collaborators();
    await send(c, { kind: 'reset-password', email: ADA.email });
    const [mail] = c.mailer.send.mock.calls[0] as unknown as [{ to: string; text: string }];
    const token = /https:\/\/app\.example\.test\/reset-password\?token=([\w-]+)/.exec(mail.text)![1];
    expect(mail.to).toBe(ADA.email);
    expect(mail.text).toContain('30 minutes');
    expect(c.tokens.insert).toHaveBeenCalledWith(
      {
        tokenHash: hashOpaqueToken(token),
        purpose: 'reset-password',
        userId: ADA.id,
        boundTo: bindingOf('reset-password', ADA),
        createdAt: NOW,
        expiresAt: new Date(NOW.getTime() + 1_800_000),
      },
      TRANSACTION,
    );
    // Recorded with the token, in its transaction, by the first attempt only.
    expect(c.audit.record).toHaveBeenCalledWith(
      { type: 'password.reset-requested', subjectUserId: ADA.id },
      TRANSACTION,
    );
    const retried = collaborators();
    await send(retried, { kind: 'reset-password', email: ADA.email }, 1);
    expect(retried.tokens.insert).toHaveBeenCalledTimes(1);
    expect(retried.audit.record).not.toHaveBeenCalled();
  });

  it('writes to nobody for an address no account has, and sends no link to a verified one', async () => {
    const nobody = collaborators(null);
    await send(nobody, { kind: 'reset-password', email: 'nobody@example.com' });
    expect(nobody.mailer.send).not.toHaveBeenCalled();
    // Still reaching the SMTP server: the job fails with it as a known address's would.
    expect(nobody.mailer.probe).toHaveBeenCalled();
    nobody.mailer.probe.mockRejectedValueOnce(new Error('the SMTP server is away'));
    await expect(send(nobody, { kind: 'reset-password', email: 'nobody@example.com' })).rejects.toThrow(
      'away',
    );

    const verified = collaborators({ ...ADA, emailVerified: true });
    await send(verified, { kind: 'verify-email', userId: ADA.id });
    expect(verified.mailer.send).not.toHaveBeenCalled();
    await send(verified, { kind: 'welcome', userId: ADA.id });
    expect(verified.tokens.insert).not.toHaveBeenCalled();
    const [welcome] = verified.mailer.send.mock.calls[0] as unknown as [{ text: string }];
    expect(welcome.text).not.toContain('token=');
  });

  it('writes no reset link to a suspended account, exactly as to an unknown address', async () => {
    const suspended = collaborators({ ...ADA, status: 'suspended', suspendedAt: NOW, suspensionReason: 'x' });
    await send(suspended, { kind: 'reset-password', email: ADA.email });
    expect(suspended.mailer.send).not.toHaveBeenCalled();
    expect(suspended.tokens.insert).not.toHaveBeenCalled();
    expect(suspended.mailer.probe).toHaveBeenCalled();
  });

  describe('a security notice', () => {
    const HTTP_ORIGIN: Origin = {
      via: 'http',
      requestId: 'req-1',
      ipAddress: '203.0.113.7',
      userAgent: 'Firefox/140',
      actorUserId: ADA.id,
      sessionId: 'session-1',
    };
    const job = (details: Partial<SecurityNoticeJob> = {}): SecurityNoticeJob => ({
      notice: 'password-changed',
      userId: ADA.id,
      at: '2026-11-29T12:34:56.789Z',
      ...details,
    });
    /** The mail the notice became, sent from within `origin` (a job runs as the request that queued it). */
    async function noticed(origin: Origin, notice: SecurityNoticeJob, c = collaborators()) {
      const context = new RequestContext();
      await context.runAs(origin, () => senderWith(c, context).sendSecurityNotice(notice));
      return c.mailer.send.mock.calls.map(([mail]) => mail);
    }

    it('works both queues: the account emails and the security notices', async () => {
      const c = collaborators();
      const subject = sender(c);
      subject.onModuleInit();
      const handlers = new Map(c.jobs.defineQueue.mock.calls.map(([queue, handler]) => [queue, handler]));
      expect([...handlers.keys()]).toEqual([ACCOUNT_EMAIL_QUEUE, SECURITY_NOTICE_QUEUE]);
      const context = { id: 'job-1', retryCount: 0 };
      await (handlers.get(ACCOUNT_EMAIL_QUEUE) as typeof subject.send)(
        { kind: 'welcome', userId: ADA.id },
        context,
      );
      await (handlers.get(SECURITY_NOTICE_QUEUE) as typeof subject.sendSecurityNotice)(job());
      expect(c.mailer.send.mock.calls.map(([mail]) => mail.to)).toEqual([ADA.email, ADA.email]);
    });

    it('says when, to the minute, and from which client and address, to the account’s address', async () => {
      const [mail] = await noticed(HTTP_ORIGIN, job());
      expect(mail.to).toBe(ADA.email);
      expect(mail.text).toContain(
        'changed on 2026-11-29 12:34 UTC, by a client that calls itself “Firefox/140” at the address 203.0.113.7.',
      );
    });

    it('says so when the client gave no name or no address', async () => {
      const [mail] = await noticed({ ...HTTP_ORIGIN, userAgent: null, ipAddress: null }, job());
      expect(mail.text).toContain('by a client that gave no name at the address unknown.');
    });

    it('names no client for an administrator’s or an operator’s change (I7)', async () => {
      const [byAdmin] = await noticed(HTTP_ORIGIN, job({ byAdministrator: true }));
      const [byOperator] = await noticed({ ...HTTP_ORIGIN, via: 'cli' }, job());
      for (const mail of [byAdmin, byOperator]) {
        expect(mail.text).toContain('by an administrator.');
        expect(mail.text).not.toContain('203.0.113.7');
      }
    });

    it('goes to the address the job names, with what it names; nowhere for a deleted account', async () => {
      const [mail] = await noticed(
        HTTP_ORIGIN,
        job({ notice: 'email-changed', to: 'previous@example.com', newEmail: 'ada@new.example' }),
      );
      expect(mail.to).toBe('previous@example.com');
      expect(mail.text).toContain('changed to ada@new.example on');
      expect(await noticed(HTTP_ORIGIN, job(), collaborators(null))).toEqual([]);
    });
  });

  it('forgets the token of a mail that failed, so that the retry makes a new one', async () => {
    const c = collaborators();
    c.mailer.send.mockRejectedValueOnce(new Error('the SMTP server is away'));
    await expect(send(c, { kind: 'welcome', userId: ADA.id })).rejects.toThrow('the SMTP server is away');
    const [stored] = c.tokens.insert.mock.calls[0] as unknown as [AccountToken];
    expect(c.tokens.delete).toHaveBeenCalledWith(stored.tokenHash);
  });
  describe('an email change', () => {
    const job = { kind: 'change-email', userId: ADA.id, requestedAt: NOW.toISOString() } as const;

    it("gives the pending change its link's token, and mails the link to the new address", async () => {
      const c = collaborators();
      c.users.findByEmail.mockResolvedValue(null);
      await send(c, job);
      const [mail] = c.mailer.send.mock.calls[0] as unknown as [{ to: string; text: string }];
      const token = /https:\/\/app\.example\.test\/confirm-email-change\?token=([\w-]+)/.exec(mail.text)![1];
      expect(mail.to).toBe('ada@new.example');
      expect(mail.text).toContain('1 hour');
      expect(c.tokens.issueEmailChange).toHaveBeenCalledWith(
        ADA.id,
        NOW,
        hashOpaqueToken(token),
        new Date(NOW.getTime() + 3_600_000),
      );
    });

    it('sends nothing for a change that a later one replaced, or that no longer matches its account', async () => {
      const replaced = collaborators();
      replaced.tokens.pendingEmailChange.mockResolvedValueOnce(null);
      await send(replaced, job);
      expect(replaced.mailer.send).not.toHaveBeenCalled();
      expect(replaced.tokens.issueEmailChange).not.toHaveBeenCalled();

      const rehashed = collaborators({ ...ADA, passwordHash: '$argon2id$a-newer-hash' });
      await send(rehashed, job);
      expect(rehashed.mailer.send).not.toHaveBeenCalled();
      expect(rehashed.tokens.discardEmailChange).toHaveBeenCalledWith(ADA.id, NOW);
    });

    it('keeps the change when the link’s mail fails: the retry gives it a new link', async () => {
      const c = collaborators();
      c.users.findByEmail.mockResolvedValue(null);
      c.mailer.send.mockRejectedValueOnce(new Error('the SMTP server is away'));
      await expect(send(c, job)).rejects.toThrow('away');
      // The row is the request's: a retry gives it a new link, so nothing is deleted.
      expect(c.tokens.delete).not.toHaveBeenCalled();
      await send(c, job);
      expect(c.tokens.issueEmailChange).toHaveBeenCalledTimes(2);
      expect(c.mailer.send.mock.calls[1][0].to).toBe('ada@new.example');
    });

    it('discards the change of an account suspended since, and tells a deleted one’s old address nothing', async () => {
      const suspended = collaborators({
        ...ADA,
        status: 'suspended',
        suspendedAt: NOW,
        suspensionReason: 'x',
      });
      await send(suspended, job);
      expect(suspended.mailer.send).not.toHaveBeenCalled();
      expect(suspended.tokens.discardEmailChange).toHaveBeenCalledWith(ADA.id, NOW);
      const deleted = collaborators(null);
      await send(deleted, job);
      const notice = {
        kind: 'email-change-notice',
        userId: ADA.id,
        to: 'a@old.example',
        newEmail: 'b@x.example',
      };
      await send(deleted, notice as AccountEmailJob);
      expect(deleted.mailer.send).not.toHaveBeenCalled();
      expect(deleted.tokens.discardEmailChange).toHaveBeenCalledWith(ADA.id, NOW);
    });

    it('tells an address that has an account instead, and forgets the change only once that is sent', async () => {
      const c = collaborators();
      const grace = { ...ADA, id: 'another-id', name: 'Grace', email: 'ada@new.example' };
      c.users.findByEmail.mockResolvedValue(grace);
      c.mailer.send.mockRejectedValueOnce(new Error('the SMTP server is away'));
      await expect(send(c, job)).rejects.toThrow('away');
      expect(c.tokens.discardEmailChange).not.toHaveBeenCalled();
      await send(c, job);
      const [mail] = c.mailer.send.mock.calls[1] as unknown as [
        { to: string; subject: string; text: string },
      ];
      expect(mail).toMatchObject({ to: 'ada@new.example', subject: 'You already have an account' });
      expect(mail.text).toContain('Hello Grace');
      expect(mail.text).not.toContain('token=');
      expect(c.tokens.issueEmailChange).not.toHaveBeenCalled();
      expect(c.tokens.discardEmailChange).toHaveBeenCalledWith(ADA.id, NOW);
    });

    it('tells the old address what was asked, with no link', async () => {
      const c = collaborators();
      await send(c, {
        kind: 'email-change-notice',
        userId: ADA.id,
        to: 'ada@old.example',
        newEmail: 'ada@new.example',
      });
      const [mail] = c.mailer.send.mock.calls[0] as unknown as [{ to: string; text: string; html: string }];
      expect(mail.to).toBe('ada@old.example');
      expect(mail.text).toContain('ada@new.example');
      expect(mail.text + mail.html).not.toMatch(/token|https?:/);
    });
  });
});
