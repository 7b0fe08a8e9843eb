import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hashOpaqueToken } from '../../src/common/opaque-tokens.js';
import { aSignedInUser, login, PASSWORD, type Tokens } from '../support/factories.js';
import { SmtpSink, type ReceivedMail } from '../support/smtp-sink.js';
import {
  aSignedInAdmin,
  aVerifiedUser,
  markVerified,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

const PUBLIC_URL = 'https://accounts.example.com';
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
const invitationTokenIn = (mail: ReceivedMail) => {
  const found = /\/accept-invitation\?token=([A-Za-z0-9_-]+)/.exec(mail.text);
  if (!found) throw new Error(`no invitation link in:\n${mail.text}`);
  return found[1]!;
};
let slugs = 0;
const aSlug = () => `org-${process.pid}-${++slugs}`;

describe('organizations (e2e)', () => {
  let sink: SmtpSink;
  let t: TestApp;
  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await startTestApp({ SMTP_URL: sink.url, APP_PUBLIC_URL: PUBLIC_URL, JOBS_RETRY_DELAY_SECONDS: '1' });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  async function anOrganization(owner: Tokens, slug = aSlug()) {
    const created = await t.http.post('/organizations', {
      token: owner.accessToken,
      body: { name: 'Acme', slug },
    });
    expect(created.status).toBe(201);
    return created.body as { id: string; slug: string; role: string };
  }

  /** Invites `email` and returns the token of the link the mail carries. */
  async function invite(by: Tokens, organizationId: string, email: string, role = 'member') {
    // Invitation mails only: the address's welcome mail may arrive before or after this one.
    const invitations = () =>
      sink.mailsTo(email).filter((mail) => mail.text.includes('/accept-invitation?token='));
    const sent = invitations().length;
    const invited = await t.http.post(`/organizations/${organizationId}/invitations`, {
      token: by.accessToken,
      body: { email, role },
    });
    expect(invited.status).toBe(201);
    await sink.waitForMail(email, () => invitations().length > sent);
    return { invitation: invited.body, token: invitationTokenIn(invitations()[sent]!) };
  }

  /** A verified user who joined the organization with `role`, by invitation. */
  async function aMember(owner: Tokens, organizationId: string, role = 'member') {
    const member = await aVerifiedUser(t);
    const { token } = await invite(owner, organizationId, member.user.email, role);
    const accepted = await t.http.post('/organizations/invitations/accept', {
      token: member.tokens.accessToken,
      body: { token },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.role).toBe(role);
    return member;
  }

  it('lets a verified user create an organization and own it; an unverified one is refused', async () => {
    const unverified = await aSignedInUser(t.api);
    const refused = await t.http.post('/organizations', {
      token: unverified.tokens.accessToken,
      body: { name: 'Acme', slug: aSlug() },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('/problems/email-not-verified');

    const { tokens } = await aVerifiedUser(t);
    const organization = await anOrganization(tokens);
    expect(organization.role).toBe('owner');
    const mine = await t.http.get('/organizations', { token: tokens.accessToken });
    expect(mine.body.items).toEqual([expect.objectContaining({ id: organization.id, role: 'owner' })]);
    const taken = await t.http.post('/organizations', {
      token: tokens.accessToken,
      body: { name: 'Other', slug: organization.slug },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.type).toBe('/problems/slug-taken');
    const [{ count }] = await t.db.query('SELECT count(*)::int AS count FROM organizations WHERE slug = $1', [
      organization.slug,
    ]);
    expect(count).toBe(1);
  });

  it('invites by mail; the invited, verified address accepts once and becomes a member with the role', async () => {
    const owner = await aVerifiedUser(t);
    const organization = await anOrganization(owner.tokens);
    const invitee = await aVerifiedUser(t);
    const { invitation, token } = await invite(owner.tokens, organization.id, invitee.user.email, 'admin');
    // Only the hash of the mailed token is kept.
    const [row] = await t.db.query('SELECT token_hash FROM invitations WHERE id = $1', [invitation.id]);
    expect(row.token_hash).toEqual(hashOpaqueToken(token));
    const pending = await t.http.get(`/organizations/${organization.id}/invitations`, {
      token: owner.tokens.accessToken,
    });
    expect(pending.body.items).toEqual([
      expect.objectContaining({
        id: invitation.id,
        email: invitee.user.email,
        role: 'admin',
        invitedBy: owner.user.id,
      }),
    ]);

    const stranger = await aVerifiedUser(t);
    const notTheirs = await t.http.post('/organizations/invitations/accept', {
      token: stranger.tokens.accessToken,
      body: { token },
    });
    expect(notTheirs.status).toBe(400);
    expect(notTheirs.body.type).toBe('/problems/invalid-invitation');

    const accepted = await t.http.post('/organizations/invitations/accept', {
      token: invitee.tokens.accessToken,
      body: { token },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ id: organization.id, role: 'admin' });
    const again = await t.http.post('/organizations/invitations/accept', {
      token: invitee.tokens.accessToken,
      body: { token },
    });
    expect(again.status).toBe(400);
    expect(again.body.type).toBe('/problems/invalid-invitation');

    const members = await t.http.get(`/organizations/${organization.id}/members`, {
      token: owner.tokens.accessToken,
    });
    expect(members.body.items.map((m: { userId: string; role: string }) => [m.userId, m.role])).toEqual([
      [invitee.user.id, 'admin'],
      [owner.user.id, 'owner'],
    ]);
    const search = encodeURIComponent(invitee.user.email.slice(0, 12).toUpperCase());
    const searched = await t.http.get(`/organizations/${organization.id}/members?search=${search}`, {
      token: owner.tokens.accessToken,
    });
    expect(searched.body.items.map((m: { userId: string }) => m.userId)).toEqual([invitee.user.id]);
  });

  it('accepts an invitation to an address without an account after sign-up and verification only', async () => {
    const owner = await aVerifiedUser(t);
    const organization = await anOrganization(owner.tokens);
    const email = `later-${Date.now()}@example.com`;
    const { token } = await invite(owner.tokens, organization.id, email);
    const newcomer = await aSignedInUser(t.api, { email });
    const early = await t.http.post('/organizations/invitations/accept', {
      token: newcomer.tokens.accessToken,
      body: { token },
    });
    expect(early.status).toBe(403);
    expect(early.body.type).toBe('/problems/email-not-verified');
    await markVerified(t, newcomer.user.id);
    const tokens = await login(t.api, email, PASSWORD);
    const accepted = await t.http.post('/organizations/invitations/accept', {
      token: tokens.accessToken,
      body: { token },
    });
    expect(accepted.status).toBe(200);
  });

  it('refuses a revoked or expired invitation with the same 400', async () => {
    const owner = await aVerifiedUser(t);
    const organization = await anOrganization(owner.tokens);
    const invitee = await aVerifiedUser(t);
    const revoked = await invite(owner.tokens, organization.id, invitee.user.email);
    const deleted = await t.http.delete(
      `/organizations/${organization.id}/invitations/${revoked.invitation.id}`,
      {
        token: owner.tokens.accessToken,
      },
    );
    expect(deleted.status).toBe(204);
    const expired = await invite(owner.tokens, organization.id, invitee.user.email);
    await t.db.query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      expired.invitation.id,
    ]);
    for (const token of [revoked.token, expired.token, 'no-such-token']) {
      const refused = await t.http.post('/organizations/invitations/accept', {
        token: invitee.tokens.accessToken,
        body: { token },
      });
      expect({ token, status: refused.status, type: refused.body.type }).toEqual({
        token,
        status: 400,
        type: '/problems/invalid-invitation',
      });
    }
  });

  it('accepts one of twenty simultaneous acceptances of one invitation', async () => {
    const owner = await aVerifiedUser(t);
    const organization = await anOrganization(owner.tokens);
    const invitee = await aVerifiedUser(t);
    const { token } = await invite(owner.tokens, organization.id, invitee.user.email);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.http.post('/organizations/invitations/accept', {
          token: invitee.tokens.accessToken,
          body: { token },
        }),
      ),
    );
    expect(answers.map((a) => a.status).toSorted()).toEqual([200, ...Array(19).fill(400)]);
    const [{ count }] = await t.db.query(
      `SELECT count(*)::int AS count FROM audit_events WHERE type = 'organization.member-added' AND organization_id = $1`,
      [organization.id],
    );
    expect(count).toBe(1);
  });

  it('keeps the owner role to owners, and always an owner: demoting, removing or leaving as the last one is a 409', async () => {
    const owner = await aVerifiedUser(t);
    const organization = await anOrganization(owner.tokens);
    const admin = await aMember(owner.tokens, organization.id, 'admin');
    const member = await aMember(owner.tokens, organization.id);
    const base = `/organizations/${organization.id}/members`;

    // An admin manages members, never owners.
    expect(
      (
        await t.http.patch(`${base}/${member.user.id}`, {
          token: admin.tokens.accessToken,
          body: { role: 'admin' },
        })
      ).status,
    ).toBe(204);
    const promote = await t.http.patch(`${base}/${member.user.id}`, {
      token: admin.tokens.accessToken,
      body: { role: 'owner' },
    });
    expect(promote.status).toBe(403);
    const touchOwner = await t.http.delete(`${base}/${owner.user.id}`, { token: admin.tokens.accessToken });
    expect(touchOwner.status).toBe(403);
    // A member reads, and changes nothing.
    const byMember = await aMember(owner.tokens, organization.id);
    expect((await t.http.get(base, { token: byMember.tokens.accessToken })).status).toBe(200);
    const refused = await t.http.delete(`${base}/${admin.user.id}`, { token: byMember.tokens.accessToken });
    expect(refused.status).toBe(403);

    for (const attempt of [
      () =>
        t.http.patch(`${base}/${owner.user.id}`, {
          token: owner.tokens.accessToken,
          body: { role: 'member' },
        }),
      () => t.http.post(`/organizations/${organization.id}/leave`, { token: owner.tokens.accessToken }),
    ]) {
      const answer = await attempt();
      expect(answer.status).toBe(409);
      expect(answer.body.type).toBe('/problems/last-owner');
      expect(answer.body.detail).toContain(organization.slug);
    }
    const [{ role }] = await t.db.query(
      'SELECT role FROM memberships WHERE organization_id = $1 AND user_id = $2',
      [organization.id, owner.user.id],
    );
    expect(role).toBe('owner');

    // A member leaves; a removed member loses access at once.
    expect(
      (await t.http.post(`/organizations/${organization.id}/leave`, { token: member.tokens.accessToken }))
        .status,
    ).toBe(204);
    expect(
      (await t.http.delete(`${base}/${byMember.user.id}`, { token: admin.tokens.accessToken })).status,
    ).toBe(204);
    const gone = await t.http.get(`/organizations/${organization.id}`, {
      token: byMember.tokens.accessToken,
    });
    expect(gone.status).toBe(404);
  });

  it('lets one of two owners demoting each other at once win, and keeps an owner', async () => {
    const first = await aVerifiedUser(t);
    const organization = await anOrganization(first.tokens);
    const second = await aMember(first.tokens, organization.id, 'owner');
    const base = `/organizations/${organization.id}/members`;
    const answers = await Promise.all([
      t.http.patch(`${base}/${second.user.id}`, {
        token: first.tokens.accessToken,
        body: { role: 'member' },
      }),
      t.http.patch(`${base}/${first.user.id}`, {
        token: second.tokens.accessToken,
        body: { role: 'member' },
      }),
    ]);
    expect(answers.map((a) => a.status).toSorted()).toEqual([204, 403]);
    const owners = await t.db.query(
      `SELECT user_id FROM memberships WHERE organization_id = $1 AND role = 'owner'`,
      [organization.id],
    );
    expect(owners).toHaveLength(1);
  });

  it('answers a non-member 404 on every organization-scoped operation, as for an unknown organization', async () => {
    const owner = await aVerifiedUser(t);
    const organization = await anOrganization(owner.tokens);
    // An outsider who owns an organization of their own: their role there must not open this one.
    const outsider = await aVerifiedUser(t);
    await anOrganization(outsider.tokens);
    const paths = JSON.parse(readFileSync(resolve('openapi.json'), 'utf8')).paths as Record<string, object>;
    const scoped = Object.entries(paths)
      .filter(([path]) => path.startsWith('/api/v1/organizations/{id}'))
      .flatMap(([path, item]) => Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })));
    expect(scoped.length).toBeGreaterThanOrEqual(10);
    const ANY = '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e';
    for (const { method, path } of scoped) {
      for (const id of [organization.id, ANY]) {
        const confirm = method === 'DELETE' && path.endsWith('{id}') ? `?confirm=${organization.slug}` : '';
        const url = path.replace('{id}', id).replace(/\{\w+\}/g, ANY) + confirm;
        const answer = await t.http.request(method, url, {
          token: outsider.tokens.accessToken,
          body:
            method === 'GET' || method === 'DELETE'
              ? undefined
              : { role: 'member', email: 'x@example.com', name: 'x' },
        });
        expect({ method, path, id, status: answer.status }).toEqual({ method, path, id, status: 404 });
      }
    }
    expect(
      (await t.http.get(`/organizations/${organization.id}`, { token: owner.tokens.accessToken })).status,
    ).toBe(200);
  });

  it('puts the selected organization in access tokens until the member is removed', async () => {
    const owner = await aVerifiedUser(t);
    const organization = await anOrganization(owner.tokens);
    const member = await aMember(owner.tokens, organization.id, 'admin');
    const selected = await t.http.request('PUT', '/auth/sessions/current/organization', {
      token: member.tokens.accessToken,
      body: { organizationId: organization.id },
    });
    expect(selected.status).toBe(200);
    expect(selected.body).toMatchObject({ organizationId: organization.id, organizationRole: 'admin' });
    expect(claimsOf(selected.body.accessToken)).toMatchObject({ org_id: organization.id, org_role: 'admin' });

    const refreshed = await t.http.post('/auth/refresh', {
      body: { refreshToken: member.tokens.refreshToken },
    });
    expect(claimsOf(refreshed.body.accessToken)).toMatchObject({
      org_id: organization.id,
      org_role: 'admin',
    });

    const outsider = await aVerifiedUser(t);
    const notTheirs = await t.http.request('PUT', '/auth/sessions/current/organization', {
      token: outsider.tokens.accessToken,
      body: { organizationId: organization.id },
    });
    expect(notTheirs.status).toBe(404);

    await t.http.delete(`/organizations/${organization.id}/members/${member.user.id}`, {
      token: owner.tokens.accessToken,
    });
    // At once on Gatehouse's own routes, with the token that still names it.
    const refused = await t.http.get(`/organizations/${organization.id}`, {
      token: refreshed.body.accessToken,
    });
    expect(refused.status).toBe(404);
    const after = await t.http.post('/auth/refresh', { body: { refreshToken: refreshed.body.refreshToken } });
    expect(claimsOf(after.body.accessToken).org_id).toBeUndefined();
  });

  it('records every organization action with its id, for its owners and admins to list', async () => {
    const owner = await aVerifiedUser(t);
    const organization = await anOrganization(owner.tokens);
    const member = await aMember(owner.tokens, organization.id);
    await t.http.patch(`/organizations/${organization.id}`, {
      token: owner.tokens.accessToken,
      body: { name: 'Acme Ltd' },
    });
    const events = await t.http.get(`/organizations/${organization.id}/audit-events`, {
      token: owner.tokens.accessToken,
    });
    expect(events.status).toBe(200);
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual([
      'organization.updated',
      'organization.member-added',
      'organization.invitation-sent',
      'organization.created',
    ]);
    expect(
      events.body.items.every((e: { organizationId: string }) => e.organizationId === organization.id),
    ).toBe(true);
    const byMember = await t.http.get(`/organizations/${organization.id}/audit-events`, {
      token: member.tokens.accessToken,
    });
    expect(byMember.status).toBe(403);
  });

  it("refuses to delete the last owner of an organization with members, naming it; an owner's empty organization goes with them", async () => {
    const owner = await aVerifiedUser(t);
    const shared = await anOrganization(owner.tokens);
    const alone = await anOrganization(owner.tokens);
    await aMember(owner.tokens, shared.id);
    const refused = await t.http.delete('/users/me', { token: owner.tokens.accessToken });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('/problems/last-owner');
    expect(refused.body.detail).toContain(shared.slug);
    const [{ count }] = await t.db.query('SELECT count(*)::int AS count FROM users WHERE id = $1', [
      owner.user.id,
    ]);
    expect(count).toBe(1);

    await t.db.query(`UPDATE memberships SET role = 'owner' WHERE organization_id = $1`, [shared.id]);
    expect((await t.http.delete('/users/me', { token: owner.tokens.accessToken })).status).toBe(204);
    const left = await t.db.query('SELECT id FROM organizations WHERE id = ANY($1) ORDER BY id', [
      [shared.id, alone.id],
    ]);
    expect(left).toEqual([{ id: shared.id }]);
  });

  it("keeps a suspended member's membership, which works again once the suspension ends", async () => {
    const owner = await aVerifiedUser(t);
    const organization = await anOrganization(owner.tokens);
    const member = await aMember(owner.tokens, organization.id);
    const admin = await aSignedInAdmin(t);
    const path = (action: string) => `/users/${member.user.id}/${action}`;
    expect(
      (await t.http.post(path('suspend'), { token: admin.tokens.accessToken, body: { reason: 'test' } }))
        .status,
    ).toBe(200);
    expect(
      (await t.http.get(`/organizations/${organization.id}`, { token: member.tokens.accessToken })).status,
    ).toBe(401);
    expect((await t.http.post(path('unsuspend'), { token: admin.tokens.accessToken })).status).toBe(200);
    const tokens = await login(t.api, member.user.email, PASSWORD);
    const read = await t.http.get(`/organizations/${organization.id}`, { token: tokens.accessToken });
    expect(read.status).toBe(200);
    expect(read.body.role).toBe('member');
  });

  it('deletes an organization for an owner who repeats its slug', async () => {
    const owner = await aVerifiedUser(t);
    const organization = await anOrganization(owner.tokens);
    const wrong = await t.http.delete(`/organizations/${organization.id}?confirm=not-it`, {
      token: owner.tokens.accessToken,
    });
    expect(wrong.status).toBe(400);
    const deleted = await t.http.delete(`/organizations/${organization.id}?confirm=${organization.slug}`, {
      token: owner.tokens.accessToken,
    });
    expect(deleted.status).toBe(204);
    expect(await t.db.query('SELECT 1 FROM organizations WHERE id = $1', [organization.id])).toEqual([]);
  });
});
