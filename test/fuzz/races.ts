import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { Account, FuzzWorld } from './world.js';

/**
 * Requests that meet: a few operations on the same accounts fired at the same moment, as two tabs,
 * a retry and an admin do. Each race returns what it saw broken beyond the statuses it allows; the
 * data's invariants (invariants.ts) are checked after every race.
 */
export interface Race {
  name: string;
  run(world: FuzzWorld): Promise<string[]>;
}

/** A race, reported by fast-check by its name (a counterexample would otherwise print its code). */
const race = (name: string, run: Race['run']): Race =>
  Object.assign({ name, run }, { [fc.toStringMethod]: () => name });

type Answer = Awaited<ReturnType<FuzzWorld['call']>>;

/** Every answer one of `allowed`, or a line saying which was not. */
const unexpected = (answers: Answer[], allowed: number[], what: string[]) =>
  answers.flatMap((a, i) =>
    allowed.includes(a.status)
      ? []
      : [`${what[i]}: ${a.status} is not one of ${allowed.join(', ')}: ${a.text}`],
  );

/** Each admin demotes, suspends or deletes another (or deletes itself), all at once. */
const adminsTurnOnEachOther = fc
  .array(fc.tuple(fc.constantFrom('demote', 'suspend', 'delete', 'delete self'), fc.nat()), {
    minLength: 2,
    maxLength: 4,
  })
  .map((moves) =>
    race(`admins turn on each other: ${moves.map(([m]) => m).join(', ')}`, async (world) => {
      // At least as many admins as moves; every one of them signed in a moment ago.
      const admins = await world.activeAdmins();
      while (admins.length < moves.length) admins.push(await world.newAdmin());
      const sent = moves.map(([move, pick], i) => {
        const actor = admins[i];
        const other = admins.filter((a) => a.id !== actor.id)[pick % (admins.length - 1)];
        const token = actor.accessToken;
        if (move === 'demote')
          return [
            'demote',
            world.call('PATCH', `/api/v1/users/${other.id}`, { token, body: { role: 'user' } }),
          ];
        if (move === 'suspend')
          return [
            'suspend',
            world.call('POST', `/api/v1/users/${other.id}/suspend`, { token, body: { reason: 'a race' } }),
          ];
        if (move === 'delete')
          return ['delete', world.call('DELETE', `/api/v1/users/${other.id}`, { token })];
        return ['delete self', world.call('DELETE', '/api/v1/users/me', { token })];
      }) as [string, Promise<Answer>][];
      const answers = await Promise.all(sent.map(([, answer]) => answer));
      // The last admin's 409; an actor already demoted (403), ended (401), or a target gone (404).
      return unexpected(
        answers,
        [200, 204, 401, 403, 404, 409],
        sent.map(([what]) => what),
      );
    }),
  );

/** One account's clients and an admin, at once: refreshes with one token, sign-outs, a new password. */
const oneAccountManyClients = fc
  .subarray(['refresh', 'refresh again', 'logout-all', 'change-password', 'suspend', 'end its sessions'], {
    minLength: 2,
  })
  .map((moves) =>
    race(`one account, many clients: ${moves.join(', ')}`, async (world) => {
      const account = await world.newUser();
      const answers = await Promise.all(moves.map((move) => sendMove(world, account, move)));
      // A refresh that lost to a sign-out or a suspension is a 401 (or 403 once suspended).
      return unexpected(answers, [200, 202, 204, 401, 403], moves);
    }),
  );

function sendMove(world: FuzzWorld, account: Account, move: string): Promise<Answer> {
  const token = account.accessToken;
  switch (move) {
    case 'refresh':
    case 'refresh again':
      return world.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: account.refreshToken } });
    case 'logout-all':
      return world.call('POST', '/api/v1/auth/logout-all', { token });
    case 'change-password':
      return world.call('POST', '/api/v1/auth/change-password', {
        token,
        body: { currentPassword: account.password, newPassword: `raced ${randomUUID()}` },
      });
    case 'suspend':
      return world.call('POST', `/api/v1/users/${account.id}/suspend`, {
        token: world.admin.accessToken,
        body: { reason: 'a race' },
      });
    default:
      return world.call('DELETE', `/api/v1/users/${account.id}/sessions`, { token: world.admin.accessToken });
  }
}

/** A mailed link used by two tabs at once: exactly one succeeds. */
const oneLinkTwice = fc.constantFrom('reset-password', 'confirm-email-change').map((purpose) =>
  race(`one ${purpose} link, used twice at once`, async (world) => {
    const account = await world.newUser();
    let token: string;
    let body: (token: string) => object;
    if (purpose === 'reset-password') {
      token = await world.linkMailedBy(account.email, purpose, () =>
        world.expect(202, 'POST', '/api/v1/auth/forgot-password', { body: { email: account.email } }),
      );
      body = (t) => ({ token: t, newPassword: `raced ${randomUUID()}` });
    } else {
      const newEmail = `raced-${randomUUID().slice(0, 8)}@example.com`;
      token = await world.linkMailedBy(newEmail, purpose, () =>
        world.expect(202, 'POST', '/api/v1/auth/change-email', {
          token: account.accessToken,
          body: { newEmail, currentPassword: account.password },
        }),
      );
      body = (t) => ({ token: t });
    }
    const answers = await Promise.all(
      [1, 2].map(() => world.call('POST', `/api/v1/auth/${purpose}`, { body: body(token) })),
    );
    const statuses = answers.map((a) => a.status).toSorted();
    return statuses.join() === '204,400'
      ? []
      : [`expected one 204 and one 400, got ${statuses.join(' and ')}`];
  }),
);

/** Two sign-ups with one address at once: one account. */
const oneAddressTwice = fc.constant<Race>(
  race('two sign-ups with one address at once', async (world) => {
    const email = `raced-${randomUUID().slice(0, 8)}@example.com`;
    const answers = await Promise.all(
      ['First', 'Second'].map((name) =>
        world.call('POST', '/api/v1/users', { body: { email, password: `raced ${randomUUID()}`, name } }),
      ),
    );
    const statuses = answers.map((a) => a.status).toSorted();
    return statuses.join() === '201,409'
      ? []
      : [`expected one 201 and one 409, got ${statuses.join(' and ')}`];
  }),
);

export const races: fc.Arbitrary<Race> = fc.oneof(
  adminsTurnOnEachOther,
  oneAccountManyClients,
  oneLinkTwice,
  oneAddressTwice,
);
