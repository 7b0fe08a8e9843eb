import { randomUUID } from 'node:crypto';
import { AccessTokens } from '../../src/auth/access-tokens.js';
import { SessionsRepository } from '../../src/auth/sessions.repository.js';
import { User } from '../../src/users/entities/user.entity.js';
import { bearer, send } from '../support/api-client.js';
import { aSignedInUser, signUp } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The statement that reads a caller's principal together with the account a request names
 * (`GET /users/:id` in one round trip), against PostgreSQL: whichever rows it returns, the principal
 * is the session's holder's and the account is the one named, read as TypeORM reads it.
 */
describe('SessionsRepository.findPrincipalWith (e2e)', () => {
  let t: TestApp;
  let sessions: SessionsRepository;
  beforeAll(async () => {
    t = await startTestApp();
    sessions = t.app.get(SessionsRepository);
  });
  afterAll(async () => {
    await t.close();
  });

  async function aCaller() {
    const { user, tokens } = await aSignedInUser(t.api);
    const claims = t.app.get(AccessTokens).verify(tokens.accessToken);
    return { user, claims, tokens };
  }
  const typeormRead = async (id: string) => ({ ...(await t.db.getRepository(User).findOneByOrFail({ id })) });

  it("reads the caller's principal and another account, each as TypeORM reads it", async () => {
    const { user, claims } = await aCaller();
    const other = await signUp(t.api);
    const found = await sessions.findPrincipalWith(claims.sid, claims.sub, new Date(), other.id);
    expect(found?.principal).toMatchObject({ via: 'session', userId: user.id, sessionId: claims.sid });
    expect(found?.principal.user).toStrictEqual(await typeormRead(user.id));
    expect(found?.account).toStrictEqual(await typeormRead(other.id));
  });

  it('reads the caller as the account when they name themselves, and null for an unknown one', async () => {
    const { user, claims } = await aCaller();
    const self = await sessions.findPrincipalWith(claims.sid, claims.sub, new Date(), user.id);
    expect(self?.principal.userId).toBe(user.id);
    expect(self?.account).toStrictEqual(await typeormRead(user.id));

    const unknown = await sessions.findPrincipalWith(claims.sid, claims.sub, new Date(), randomUUID());
    expect(unknown?.principal.userId).toBe(user.id);
    expect(unknown?.account).toBeNull();
  });

  it('finds no principal for an expired or ended session, even when the account named exists', async () => {
    const { claims, tokens } = await aCaller();
    const other = await signUp(t.api);
    const later = new Date(Date.now() + 400 * 24 * 3600 * 1000);
    expect(await sessions.findPrincipalWith(claims.sid, claims.sub, later, other.id)).toBeNull();
    // A session id with another user's id names no session of theirs.
    expect(await sessions.findPrincipalWith(claims.sid, other.id, new Date(), other.id)).toBeNull();

    expect((await send(t.api.POST('/api/v1/auth/logout', bearer(tokens.accessToken)))).status).toBe(204);
    expect(await sessions.findPrincipalWith(claims.sid, claims.sub, new Date(), other.id)).toBeNull();
  });
});
