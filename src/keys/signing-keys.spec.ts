import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { createPrivateKey } from 'node:crypto';
import type { AuditLog, AuditRecord } from '../audit/audit-log.js';
import type { Clock } from '../common/clock.js';
import { SecretBox } from '../common/secret-box.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import type { JobsService } from '../jobs/jobs.service.js';
import type { Retention } from '../jobs/retention.js';
import type { SigningKey } from './entities/signing-key.entity.js';
import type { KeyRing } from './key-ring.js';
import { KeyAlreadyRetiredError, NextKeyTooYoungError, UnknownKeyError } from './keys.errors.js';
import { SigningKeysRetention } from './signing-keys-retention.js';
import { KEY_ROTATION_QUEUE, SigningKeys } from './signing-keys.js';
import type { SigningKeysRepository } from './signing-keys.repository.js';

Logger.overrideLogger(false);

const KEK = Buffer.alloc(32, 9);
const START = Date.parse('2026-12-07T12:00:00.000Z');
const AUTH = {
  signingAlgorithm: 'EdDSA',
  keyEncryptionKey: KEK,
  accessTokenTtlSeconds: 900,
  jwksMaxAgeSeconds: 300,
  signingKeyRotationSeconds: 30 * 86_400,
} as AuthConfig;
/** AUTH_JWKS_MAX_AGE + AUTH_ACCESS_TOKEN_TTL. */
const LEAD_SECONDS = 1200;

function subject(auth: Partial<AuthConfig> = {}) {
  let now = START;
  const table: SigningKey[] = [];
  const audited: AuditRecord[] = [];
  const order: string[] = [];
  const repository = {
    all: async () => table.toSorted((a, b) => b.createdAt.getTime() - a.createdAt.getTime()),
    lock: async () => void order.push('lock'),
    insert: async (key: SigningKey) => {
      if (table.some((k) => k.state === key.state && key.state !== 'retired'))
        throw new Error(`a second ${key.state} key`);
      table.push({ ...key });
    },
    update: async (kid: string, change: Partial<SigningKey>) => {
      const key = table.find((k) => k.kid === kid)!;
      if (change.state === 'current' && table.some((k) => k.state === 'current'))
        throw new Error('a second current key');
      Object.assign(key, change);
    },
    delete: async (kid: string) =>
      void table.splice(
        table.findIndex((k) => k.kid === kid),
        1,
      ),
    purgeRetired: jest.fn(async () => 0),
  };
  const ring = { refresh: jest.fn(async () => {}), start: jest.fn(async () => {}) };
  const schedules: [string, string, () => Promise<void>][] = [];
  const jobs = { defineSchedule: (...args: [string, string, () => Promise<void>]) => schedules.push(args) };
  const transactions = { run: (work: (t: Transaction) => Promise<unknown>) => work({} as Transaction) };
  const audit = { record: async (record: AuditRecord) => void audited.push(record) };
  const keys = new SigningKeys(
    { ...AUTH, ...auth },
    repository as unknown as SigningKeysRepository,
    ring as unknown as KeyRing,
    transactions as unknown as Transactions,
    audit as unknown as AuditLog,
    jobs as unknown as JobsService,
    { now: () => new Date(now) } as Clock,
    new SecretBox(KEK),
  );
  const byState = (state: string) => table.filter((k) => k.state === state);
  return {
    keys,
    table,
    audited,
    ring,
    repository,
    schedules,
    byState,
    advance: (seconds: number) => (now += seconds * 1000),
    at: () => new Date(now),
  };
}

describe('SigningKeys', () => {
  it('starts with a current key that signs at once and a next one, both sealed, then the ring reads them', async () => {
    const { keys, table, byState, audited, ring } = subject();
    await keys.onApplicationBootstrap();
    const [current] = byState('current');
    const [next] = byState('next');
    expect(table).toHaveLength(2);
    expect(current).toMatchObject({ algorithm: 'EdDSA', activatedAt: new Date(START), retiredAt: null });
    expect(next).toMatchObject({ algorithm: 'EdDSA', activatedAt: null, createdAt: new Date(START) });
    for (const key of table) {
      expect(key.privateKeySealed).not.toContain('PRIVATE KEY');
      // Sealed for this kid: copied onto another row, it does not open.
      const pem = new SecretBox(KEK).open(key.privateKeySealed, key.kid);
      expect(createPrivateKey(pem).asymmetricKeyType).toBe('ed25519');
      expect(() => new SecretBox(KEK).open(key.privateKeySealed, 'another kid')).toThrow(
        'Unsupported state or unable to authenticate data',
      );
    }
    expect(audited).toEqual([
      {
        type: 'signing-key.created',
        subjectUserId: null,
        details: { kid: current.kid, algorithm: 'EdDSA', state: 'current' },
      },
      {
        type: 'signing-key.created',
        subjectUserId: null,
        details: { kid: next.kid, algorithm: 'EdDSA', state: 'next' },
      },
    ]);
    expect(ring.refresh).toHaveBeenCalled();
    expect(ring.start).toHaveBeenCalledTimes(1);
  });

  it('makes no key when it finds a current and a next one of the setting, and none with HS256', async () => {
    const { keys, table, audited } = subject();
    await keys.ensure();
    const before = table.map((k) => k.kid);
    await keys.ensure();
    expect(table.map((k) => k.kid)).toEqual(before);
    expect(audited).toHaveLength(2);
    const hs256 = subject({ signingAlgorithm: 'HS256' });
    await hs256.keys.ensure();
    expect(hs256.table).toEqual([]);
  });

  it('replaces a next key of another algorithm than the setting (it never signed), and keeps the current one', async () => {
    const eddsa = subject();
    await eddsa.keys.ensure();
    const { keys, table, byState } = subject({ signingAlgorithm: 'ES256' });
    table.push(...eddsa.table.map((k) => ({ ...k })));
    const [current] = byState('current');
    const [oldNext] = byState('next');
    await keys.ensure();
    expect(byState('current')).toEqual([current]);
    expect(byState('next')).toEqual([expect.objectContaining({ algorithm: 'ES256' })]);
    expect(table.some((k) => k.kid === oldNext.kid)).toBe(false);
  });

  it('refuses to rotate before the next key was published for AUTH_JWKS_MAX_AGE + AUTH_ACCESS_TOKEN_TTL', async () => {
    const { keys, byState, advance } = subject();
    await keys.ensure();
    const [next] = byState('next');
    advance(LEAD_SECONDS - 1);
    await expect(keys.rotate()).rejects.toThrow(
      new NextKeyTooYoungError(next.kid, new Date(START + LEAD_SECONDS * 1000)),
    );
    expect(byState('next')).toEqual([next]);
  });

  it('rotates: the next key signs, the current one retires, a new next one is published; all audited', async () => {
    const { keys, byState, advance, at, audited } = subject();
    await keys.ensure();
    const [current] = byState('current');
    const [next] = byState('next');
    advance(LEAD_SECONDS);
    audited.length = 0;
    const promoted = await keys.rotate();
    expect(promoted).toMatchObject({ kid: next.kid, state: 'current', activatedAt: at(), until: null });
    expect(byState('current')).toEqual([expect.objectContaining({ kid: next.kid, activatedAt: at() })]);
    expect(byState('retired')).toEqual([expect.objectContaining({ kid: current.kid, retiredAt: at() })]);
    const [fresh] = byState('next');
    expect(fresh.kid).not.toBe(next.kid);
    expect(fresh.createdAt).toEqual(at());
    expect(audited.map((r) => [r.type, r.details])).toEqual([
      ['signing-key.retired', { kid: current.kid }],
      ['signing-key.rotated', { kid: next.kid, algorithm: 'EdDSA', previousKid: current.kid }],
      ['signing-key.created', { kid: fresh.kid, algorithm: 'EdDSA', state: 'next' }],
    ]);
  });

  it('rotates at once with force, and prepares key pairs while HS256 signs', async () => {
    const { keys, byState } = subject();
    await keys.ensure();
    const [next] = byState('next');
    await keys.rotate({ force: true });
    expect(byState('current')[0].kid).toBe(next.kid);
    const hs256 = subject({ signingAlgorithm: 'HS256' });
    await hs256.keys.rotate({ force: true });
    expect(hs256.byState('current')).toEqual([expect.objectContaining({ algorithm: 'EdDSA' })]);
    expect(hs256.byState('next')).toHaveLength(1);
  });

  it('rotates on its hourly schedule once the current key has signed for AUTH_SIGNING_KEY_ROTATION', async () => {
    const { keys, byState, advance, schedules } = subject();
    keys.onModuleInit();
    expect(schedules).toEqual([[KEY_ROTATION_QUEUE, '17 * * * *', expect.any(Function)]]);
    const run = schedules[0][2];
    await run();
    const [first] = byState('current');
    advance(30 * 86_400 - 1);
    await run();
    expect(byState('current')[0].kid).toBe(first.kid);
    advance(1);
    await run();
    expect(byState('current')[0].kid).not.toBe(first.kid);
    expect(byState('retired').map((k) => k.kid)).toEqual([first.kid]);
  });

  it('waits when a rotation is due but the next key is too young, and never runs with HS256', async () => {
    const { keys, table, byState, advance } = subject({ signingKeyRotationSeconds: 60 });
    await keys.ensure();
    const next = byState('next')[0];
    advance(60);
    table.find((k) => k.kid === next.kid)!.createdAt = new Date(START + 60_000);
    await keys.rotateIfDue();
    expect(byState('next')[0].kid).toBe(next.kid);
    const hs256 = subject({ signingAlgorithm: 'HS256' });
    await hs256.keys.rotateIfDue();
    expect(hs256.table).toEqual([]);
  });

  it('retires the current key by a forced rotation and the next one by a new next key', async () => {
    const { keys, byState, audited } = subject();
    await keys.ensure();
    const [current] = byState('current');
    const [next] = byState('next');
    expect(await keys.retire(current.kid)).toMatchObject({ kid: current.kid, state: 'retired' });
    expect(byState('current')[0].kid).toBe(next.kid);
    const [second] = byState('next');
    audited.length = 0;
    await keys.retire(second.kid);
    expect(byState('next')).toHaveLength(1);
    expect(byState('next')[0].kid).not.toBe(second.kid);
    expect(byState('retired').map((k) => k.kid)).toEqual([current.kid]);
    expect(audited.map((r) => [r.type, r.details?.kid])).toEqual([
      ['signing-key.retired', second.kid],
      ['signing-key.created', byState('next')[0].kid],
    ]);
    await expect(keys.retire(current.kid)).rejects.toThrow(KeyAlreadyRetiredError);
    await expect(keys.retire('no-such-kid')).rejects.toThrow(UnknownKeyError);
  });

  it('lists every key with when it may sign or leaves the set, and nothing private', async () => {
    const { keys, advance } = subject();
    await keys.ensure();
    advance(LEAD_SECONDS);
    await keys.rotate();
    const listed = await keys.list();
    const byState = Object.fromEntries(listed.map((k) => [k.state, k]));
    const rotatedAt = START + LEAD_SECONDS * 1000;
    expect(byState.next.until).toEqual(new Date(rotatedAt + LEAD_SECONDS * 1000));
    expect(byState.current.until).toBeNull();
    // One token lifetime, a refresh interval and the skew after it retired.
    expect(byState.retired.until).toEqual(new Date(rotatedAt + (900 + 30 + 30) * 1000));
    expect(JSON.stringify(listed)).not.toMatch(/sealed|PRIVATE|publicJwk/);
    expect(Object.keys(listed[0]).toSorted()).toEqual(
      ['activatedAt', 'algorithm', 'createdAt', 'kid', 'retiredAt', 'state', 'until'].toSorted(),
    );
  });

  it('has the retention job delete retired keys once their last token expired', async () => {
    const { keys, repository } = subject();
    const registered: unknown[] = [];
    const retention = new SigningKeysRetention(repository as unknown as SigningKeysRepository, keys, {
      register: (policy: unknown) => registered.push(policy),
    } as unknown as Retention);
    retention.onModuleInit();
    expect(registered).toEqual([retention]);
    expect(retention.table).toBe('signing_keys');
    await retention.purge(new Date(START), 50);
    expect(repository.purgeRetired).toHaveBeenCalledWith(new Date(START - 960_000), 50);
  });
});
