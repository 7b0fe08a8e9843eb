import { jest } from '@jest/globals';
import { UnauthenticatedError } from '../access/access.errors.js';
import type { Principal } from '../access/principal.js';
import type { User } from '../users/entities/user.entity.js';
import type { AuditLog } from '../audit/audit-log.js';
import { ROUTE_MAX_LENGTH } from './auth.audit-details.js';
import type { Clock } from '../common/clock.js';
import type { AccessTokens } from './access-tokens.js';
import type { SessionsRepository } from './sessions.repository.js';
import { TokenPrincipals } from './token-principals.js';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const CLAIMS = { sub: '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e', sid: '5f0c6b0e-8d1a-4c3e-9a53-3c1f0a5a7d2e' };
const PRINCIPAL = { userId: CLAIMS.sub, sessionId: CLAIMS.sid, role: 'user' } as Principal;
const ACCOUNT = { id: '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f', role: 'user' } as User;

function setUp({ principal = PRINCIPAL as Principal | null, verify = () => CLAIMS } = {}) {
  const accessTokens = { verify: jest.fn(verify) };
  const sessions = {
    findPrincipal: jest.fn(async () => principal),
    findPrincipalIn: jest.fn(async () => principal && { principal, organizationRole: 'admin' }),
    findPrincipalWith: jest.fn(async () => principal && { principal, account: ACCOUNT }),
  };
  const audit = { record: jest.fn(async () => undefined) };
  const principals = new TokenPrincipals(
    accessTokens as unknown as AccessTokens,
    sessions as unknown as SessionsRepository,
    { now: () => NOW } as Clock,
    audit as unknown as AuditLog,
  );
  return { principals, accessTokens, sessions, audit };
}

describe('TokenPrincipals', () => {
  it('refuses a token the verifier refuses, before any query', async () => {
    const { principals, sessions } = setUp({
      verify: () => {
        throw new UnauthenticatedError('The access token is not valid');
      },
    });
    const refused = principals.authenticate('a.b.c');
    await expect(refused).rejects.toMatchObject({ challenge: 'Bearer error="invalid_token"' });
    expect(sessions.findPrincipal).not.toHaveBeenCalled();
  });

  it('reads the session of the token at the clock’s time, and refuses one that has ended', async () => {
    const live = setUp();
    await expect(live.principals.authenticate('the.token')).resolves.toBe(PRINCIPAL);
    expect(live.accessTokens.verify).toHaveBeenCalledWith('the.token');
    expect(live.sessions.findPrincipal).toHaveBeenCalledWith(CLAIMS.sid, CLAIMS.sub, NOW);

    const refused = setUp({ principal: null }).principals.authenticate('the.token');
    await expect(refused).rejects.toThrow(/session of this access token has ended/);
    await expect(refused).rejects.toMatchObject({ challenge: 'Bearer error="invalid_token"' });
  });

  it('reads the role in an organization with the session, and refuses a token whose session has ended', async () => {
    const organizationId = '3f2c1b0a-9d8e-4f7a-b6c5-d4e3f2a1b0c9';
    const live = setUp();
    await expect(live.principals.authenticateIn('the.token', organizationId)).resolves.toEqual({
      principal: PRINCIPAL,
      organizationRole: 'admin',
    });
    expect(live.accessTokens.verify).toHaveBeenCalledWith('the.token');
    expect(live.sessions.findPrincipalIn).toHaveBeenCalledWith(CLAIMS.sid, CLAIMS.sub, NOW, organizationId);

    const refused = setUp({ principal: null }).principals.authenticateIn('the.token', organizationId);
    await expect(refused).rejects.toThrow(/session of this access token has ended/);
    await expect(refused).rejects.toMatchObject({ challenge: 'Bearer error="invalid_token"' });
  });

  it('reads the account a request names with the session, and refuses a token whose session has ended', async () => {
    const live = setUp();
    await expect(live.principals.authenticateWith('the.token', ACCOUNT.id)).resolves.toEqual({
      principal: PRINCIPAL,
      account: ACCOUNT,
    });
    expect(live.accessTokens.verify).toHaveBeenCalledWith('the.token');
    expect(live.sessions.findPrincipalWith).toHaveBeenCalledWith(CLAIMS.sid, CLAIMS.sub, NOW, ACCOUNT.id);

    const refused = setUp({ principal: null }).principals.authenticateWith('the.token', ACCOUNT.id);
    await expect(refused).rejects.toThrow(/session of this access token has ended/);
    await expect(refused).rejects.toMatchObject({ challenge: 'Bearer error="invalid_token"' });
  });

  it('records a refusal as access.denied with the route, cut to what the column holds', async () => {
    const { principals, audit } = setUp();
    await principals.refused(PRINCIPAL, 'GET /api/v1/users');
    await principals.refused(PRINCIPAL, `GET /${'x'.repeat(ROUTE_MAX_LENGTH)}`);
    expect(audit.record.mock.calls).toEqual([
      [{ type: 'access.denied', subjectUserId: CLAIMS.sub, details: { route: 'GET /api/v1/users' } }],
      [
        {
          type: 'access.denied',
          subjectUserId: CLAIMS.sub,
          details: { route: `GET /${'x'.repeat(ROUTE_MAX_LENGTH - 5)}` },
        },
      ],
    ]);
  });
});
