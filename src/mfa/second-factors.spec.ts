import { randomBytes } from 'node:crypto';
import { TOTP, Secret } from 'otpauth';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../common/clock.js';
import { ServerKeys } from '../common/server-keys.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import type { SecurityNotices } from '../security-notices/security-notices.js';
import type { User } from '../users/entities/user.entity.js';
import type { UsersService } from '../users/users.service.js';
import { RecoveryCodeHashes } from './recovery-codes.js';
import type { SecondFactorsRepository } from './second-factors.repository.js';
import { SecondFactors } from './second-factors.js';
import { SecretBox } from '../common/secret-box.js';
import { newTotpSecret } from './totp.js';

/** Mid-step, so that "this step" is unambiguous. */
const NOW = new Date('2026-12-06T12:00:15.000Z');
const STEP = Math.floor(NOW.getTime() / 30_000);

function subject({ totpEnabled = true, confirmed = true } = {}) {
  const user = { id: 'user-1', totpEnabled } as User;
  const box = new SecretBox(randomBytes(32));
  const secret = newTotpSecret();
  const hashes = new RecoveryCodeHashes(new ServerKeys(randomBytes(32)));
  const codeAt = (step: number) =>
    new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
      timestamp: step * 30_000,
    });
  const state = {
    lastStep: null as number | null,
    unused: new Set([hashes.of('ABCDE-FGHJK').toString('hex'), hashes.of('KMNPQ-RSTUV').toString('hex')]),
    audited: [] as unknown[],
    notices: [] as unknown[],
    /** What the transaction changed, undone when it throws (as PostgreSQL would). */
    committed: true,
  };
  const factors = {
    findTotp: async () => ({ secretSealed: box.seal(secret, user.id), confirmedAt: confirmed ? NOW : null }),
    spendStep: async (_: string, step: number) => {
      if (state.lastStep !== null && state.lastStep >= step) return false;
      state.lastStep = step;
      return true;
    },
    useRecoveryCode: async (_: string, candidates: Buffer[]) =>
      candidates.some((hash) => state.unused.delete(hash.toString('hex'))),
    countUnusedRecoveryCodes: async () => state.unused.size,
  };
  const transactions = {
    run: async (work: (t: Transaction) => Promise<void>) => {
      const saved = { lastStep: state.lastStep, unused: new Set(state.unused), audited: [...state.audited] };
      try {
        await work({} as Transaction);
      } catch (error) {
        Object.assign(state, saved, { committed: false });
        throw error;
      }
    },
  };
  const secondFactors = new SecondFactors(
    factors as unknown as SecondFactorsRepository,
    box,
    hashes,
    { now: () => NOW } as Clock,
    { record: async (event: unknown) => void state.audited.push(event) } as unknown as AuditLog,
    { findForUpdate: async (id: string) => (id === user.id ? user : null) } as unknown as UsersService,
    transactions as unknown as Transactions,
    {
      send: async (...notice: unknown[]) => void state.notices.push(notice.filter((_, i) => i !== 2)),
    } as unknown as SecurityNotices,
  );
  const changes: User[] = [];
  const change = async (locked: User) => void changes.push(locked);
  return { secondFactors, user, codeAt, state, changes, change };
}

describe('SecondFactors', () => {
  it('accepts a code of this step, the one before or the one after, and makes the change with the locked user', async () => {
    for (const step of [STEP - 1, STEP, STEP + 1]) {
      const { secondFactors, user, codeAt, changes, change, state } = subject();
      expect(await secondFactors.withProof(user, { code: codeAt(step) }, change)).toBe(true);
      expect(changes).toEqual([user]);
      expect(state.lastStep).toBe(step);
    }
  });

  it('refuses a code two steps off, a replayed step and an earlier one, changing nothing', async () => {
    const { secondFactors, user, codeAt, changes, change } = subject();
    for (const step of [STEP - 2, STEP + 2])
      expect(await secondFactors.withProof(user, { code: codeAt(step) }, change)).toBe(false);
    expect(await secondFactors.withProof(user, { code: codeAt(STEP) }, change)).toBe(true);
    expect(await secondFactors.withProof(user, { code: codeAt(STEP) }, change)).toBe(false);
    expect(await secondFactors.withProof(user, { code: codeAt(STEP - 1) }, change)).toBe(false);
    expect(changes).toHaveLength(1);
  });

  it('refuses a code when the app is not turned on, or not confirmed', async () => {
    for (const options of [{ totpEnabled: false }, { confirmed: false }]) {
      const { secondFactors, user, codeAt, changes, change } = subject(options);
      expect(await secondFactors.withProof(user, { code: codeAt(STEP) }, change)).toBe(false);
      expect(changes).toEqual([]);
    }
  });

  it('spends a recovery code once, typed in any case, and records and notifies how many are left', async () => {
    const { secondFactors, user, state, change } = subject();
    expect(await secondFactors.withProof(user, { recoveryCode: 'abcde fghjk' }, change)).toBe(true);
    expect(state.audited).toEqual([
      {
        type: 'mfa.recovery-code-used',
        subjectUserId: user.id,
        actorUserId: user.id,
        details: { remaining: 1 },
      },
    ]);
    expect(state.notices).toEqual([[user.id, 'recovery-code-used', { remaining: 1 }]]);
    expect(await secondFactors.withProof(user, { recoveryCode: 'ABCDE-FGHJK' }, change)).toBe(false);
    expect(state.audited).toHaveLength(1);
  });

  it('refuses a recovery code of an account without an authenticator app, or one it never had', async () => {
    const withoutApp = subject({ totpEnabled: false });
    expect(
      await withoutApp.secondFactors.withProof(
        withoutApp.user,
        { recoveryCode: 'ABCDE-FGHJK' },
        withoutApp.change,
      ),
    ).toBe(false);
    const other = subject();
    expect(
      await other.secondFactors.withProof(other.user, { recoveryCode: 'ZZZZZ-ZZZZZ' }, other.change),
    ).toBe(false);
    expect([...withoutApp.state.audited, ...other.state.audited]).toEqual([]);
  });

  it('gives the proof back when the change fails, and lets the failure through', async () => {
    const { secondFactors, user, codeAt, state } = subject();
    const failing = async () => {
      throw new Error('the change failed');
    };
    await expect(secondFactors.withProof(user, { recoveryCode: 'ABCDE-FGHJK' }, failing)).rejects.toThrow(
      'the change failed',
    );
    await expect(secondFactors.withProof(user, { code: codeAt(STEP) }, failing)).rejects.toThrow(
      'the change failed',
    );
    expect(state.committed).toBe(false);
    expect([state.unused.size, state.lastStep, state.audited]).toEqual([2, null, []]);
  });

  it('refuses a proof for an account that is gone', async () => {
    const { secondFactors, codeAt, change } = subject();
    expect(await secondFactors.withProof({ id: 'gone' } as User, { code: codeAt(STEP) }, change)).toBe(false);
  });
});
