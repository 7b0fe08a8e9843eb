import { bearer, send } from '../support/api-client.js';
import { expectProblem, PASSWORD } from '../support/factories.js';
import { SoftwareAuthenticator } from '../support/software-authenticator.js';
import { aSignedInAdmin, aVerifiedUser, startTestApp, type TestApp } from '../support/test-app.js';

/** The relying party: WebAuthn refuses an IP address as its id, so the public URL names localhost. */
const PUBLIC_URL = 'http://localhost:3999';

describe('passkeys (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ APP_PUBLIC_URL: PUBLIC_URL });
  });
  afterAll(async () => {
    await t.close();
  });

  const me = (accessToken: string) => send(t.api.GET('/api/v1/users/me', bearer(accessToken)));
  const registrationOptions = (accessToken: string, currentPassword = PASSWORD) =>
    send(
      t.api.POST('/api/v1/auth/passkeys/registration/options', {
        ...bearer(accessToken),
        body: { currentPassword },
      }),
    );
  const register = (accessToken: string, response: object, name?: string) =>
    send(
      t.api.POST('/api/v1/auth/passkeys/registration', {
        ...bearer(accessToken),
        body: { response, ...(name ? { name } : {}) } as never,
      }),
    );
  const authenticationOptions = async () => {
    const answer = await send(t.api.POST('/api/v1/auth/passkeys/authentication/options'));
    expect(answer.status).toBe(200);
    return answer.body as { challenge: string; rpId: string };
  };
  const authenticate = (response: object) =>
    send(t.api.POST('/api/v1/auth/passkeys/authentication', { body: { response } as never }));
  const list = async (accessToken: string) =>
    (await send(t.api.GET('/api/v1/auth/passkeys', bearer(accessToken)))).body.items as {
      id: string;
      name: string;
      lastUsedAt: string | null;
    }[];
  const events = async (userId: string, type: string) =>
    (await t.db.query(
      'SELECT details FROM audit_events WHERE subject_user_id = $1 AND type = $2 ORDER BY id',
      [userId, type],
    )) as { details: Record<string, unknown> }[];

  /** A user with one passkey, registered through the API by a software authenticator. */
  async function aUserWithPasskey(options: { countsSignatures?: boolean } = {}) {
    const { user, tokens } = await aVerifiedUser(t);
    const authenticator = new SoftwareAuthenticator(PUBLIC_URL, options);
    const registered = await register(
      tokens.accessToken,
      authenticator.register((await registrationOptions(tokens.accessToken)).body),
    );
    expect(registered.status).toBe(201);
    return { user, tokens, authenticator, passkey: registered.body as { id: string; name: string } };
  }

  describe('adding one', () => {
    it('needs the password, and asks for a discoverable credential with user verification for APP_PUBLIC_URL', async () => {
      const { user, tokens } = await aVerifiedUser(t);
      const wrong = await registrationOptions(tokens.accessToken, 'not the password at all');
      expect(expectProblem(wrong, 400).errors).toEqual([
        { pointer: '#/currentPassword', detail: 'is not the current password' },
      ]);
      const { body } = await registrationOptions(tokens.accessToken);
      expect(body).toMatchObject({
        rp: { name: 'Gatehouse', id: 'localhost' },
        user: {
          id: Buffer.from(user.id.replaceAll('-', ''), 'hex').toString('base64url'),
          name: user.email,
          displayName: user.name,
        },
        challenge: expect.stringMatching(/^[\w-]{43}$/),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        attestation: 'none',
        excludeCredentials: [],
      });
      expect(body.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toContain(-7);
      // Only the challenge's hash is kept.
      const [row] = await t.db.query(
        "SELECT encode(token_hash, 'hex') AS hash, user_id FROM mfa_challenges WHERE purpose = 'passkey-registration' AND user_id = $1",
        [user.id],
      );
      expect(row.hash).not.toContain(Buffer.from(body.challenge, 'base64url').toString('hex'));
    });

    it('answers a body without its credential, or a credential without its response, with a 400 naming it', async () => {
      const { tokens } = await aVerifiedUser(t);
      const missing = await register(tokens.accessToken, undefined as never, 'Laptop');
      expect(expectProblem(missing, 400).errors).toContainEqual({
        pointer: '#/response',
        detail: 'response should not be null or undefined',
      });
      const credential = new SoftwareAuthenticator(PUBLIC_URL).register(
        (await registrationOptions(tokens.accessToken)).body,
      );
      const hollow = await register(tokens.accessToken, { ...credential, response: undefined });
      expect(expectProblem(hollow, 400).errors).toContainEqual({
        pointer: '#/response/response',
        detail: 'response should not be null or undefined',
      });
      const anonymous = await send(t.api.POST('/api/v1/auth/passkeys/authentication', { body: {} as never }));
      expect(expectProblem(anonymous, 400).errors).toContainEqual({
        pointer: '#/response',
        detail: 'response should not be null or undefined',
      });
    });

    it('registers a real signed response; the account then counts it and a password login asks for it', async () => {
      const { user, tokens, passkey } = await aUserWithPasskey();
      expect(passkey).toMatchObject({ name: 'Passkey 1', transports: ['internal'], lastUsedAt: null });
      expect((await me(tokens.accessToken)).body.mfa).toEqual({ totp: false, passkeys: 1 });
      const login = await send(
        t.api.POST('/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } }),
      );
      expect(login.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String), methods: ['passkey'] });
      expect(await events(user.id, 'mfa.passkey-added')).toEqual([
        { details: { passkeyId: passkey.id, name: 'Passkey 1' } },
      ]);
      const [stored] = await t.db.query('SELECT public_key, credential_id FROM passkeys WHERE id = $1', [
        passkey.id,
      ]);
      expect(stored.public_key.length).toBeGreaterThan(64);
    });

    it('refuses a response for another origin, without user verification, to a spent or foreign challenge, or twice', async () => {
      const { tokens } = await aVerifiedUser(t);
      const other = await aVerifiedUser(t);
      const options = async () => (await registrationOptions(tokens.accessToken)).body;
      const rejected = (answer: Awaited<ReturnType<typeof register>>) =>
        expect(expectProblem(answer, 400).errors).toEqual([
          { pointer: '#/response', detail: 'is not a valid registration for this challenge' },
        ]);

      rejected(
        await register(
          tokens.accessToken,
          new SoftwareAuthenticator(PUBLIC_URL).register(await options(), { origin: 'https://evil.example' }),
        ),
      );
      rejected(
        await register(
          tokens.accessToken,
          new SoftwareAuthenticator(PUBLIC_URL, { userVerified: false }).register(await options()),
        ),
      );
      // Another account's challenge.
      const foreign = (await registrationOptions(other.tokens.accessToken)).body;
      rejected(await register(tokens.accessToken, new SoftwareAuthenticator(PUBLIC_URL).register(foreign)));

      const authenticator = new SoftwareAuthenticator(PUBLIC_URL);
      const response = authenticator.register(await options());
      expect((await register(tokens.accessToken, response)).status).toBe(201);
      // The same response again: its challenge is spent.
      rejected(await register(tokens.accessToken, response));
      // The same credential on a new challenge: excluded, and refused.
      const next = await options();
      expect(next.excludeCredentials).toEqual([
        { id: authenticator.credentialId, type: 'public-key', transports: ['internal'] },
      ]);
      rejected(await register(tokens.accessToken, authenticator.register(next)));
      expect(await list(tokens.accessToken)).toHaveLength(1);
    });
  });

  describe('signing in with one', () => {
    it('signs in without a password and records it', async () => {
      const { user, authenticator, tokens } = await aUserWithPasskey();
      const signedIn = await authenticate(authenticator.authenticate(await authenticationOptions()));
      expect(signedIn.status).toBe(200);
      expect(signedIn.body).toMatchObject({ tokenType: 'Bearer' });
      expect((await me(signedIn.body.accessToken)).body.id).toBe(user.id);
      const [last] = (await events(user.id, 'login.succeeded')).slice(-1);
      expect(last!.details).toEqual({ secondFactor: 'passkey' });
      const sessions = await send(t.api.GET('/api/v1/auth/sessions', bearer(signedIn.body.accessToken)));
      expect(sessions.body.items.find((s: { current: boolean }) => s.current)).toMatchObject({
        secondFactor: 'passkey',
      });
      expect((await list(tokens.accessToken))[0]!.lastUsedAt).not.toBeNull();
    });

    it('names no account in its options', async () => {
      const options = await authenticationOptions();
      expect(options).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
      expect(options).not.toHaveProperty('allowCredentials.0');
    });

    it('refuses the same answer twice, an expired challenge, another origin, no user verification and an unknown credential, all alike', async () => {
      const { authenticator } = await aUserWithPasskey();
      const refused = async (response: object) =>
        expect(expectProblem(await authenticate(response), 401).type).toBe('/problems/invalid-passkey');

      const response = authenticator.authenticate(await authenticationOptions());
      expect((await authenticate(response)).status).toBe(200);
      await refused(response);

      const expiring = await authenticationOptions();
      await t.db.query(
        "UPDATE mfa_challenges SET expires_at = now() - interval '1 second' WHERE purpose = 'passkey-authentication' AND expires_at > now()",
      );
      await refused(authenticator.authenticate(expiring));

      await refused(
        authenticator.authenticate(await authenticationOptions(), { origin: 'https://evil.example' }),
      );
      const unverified = Object.assign(Object.create(SoftwareAuthenticator.prototype), authenticator, {
        options: { userVerified: false },
      }) as SoftwareAuthenticator;
      await refused(unverified.authenticate(await authenticationOptions()));
      await refused(new SoftwareAuthenticator(PUBLIC_URL).authenticate(await authenticationOptions()));
    });

    it('refuses a signature counter that went back: a cloned authenticator', async () => {
      const { authenticator } = await aUserWithPasskey({ countsSignatures: true });
      const older = authenticator.authenticate(await authenticationOptions());
      const newer = authenticator.authenticate(await authenticationOptions());
      expect((await authenticate(newer)).status).toBe(200);
      expect(expectProblem(await authenticate(older), 401).type).toBe('/problems/invalid-passkey');
    });

    it('a suspended account is told so, after a valid passkey', async () => {
      const { user, authenticator } = await aUserWithPasskey();
      const admin = await aSignedInAdmin(t);
      await send(
        t.api.POST('/api/v1/users/{id}/suspend', {
          ...bearer(admin.tokens.accessToken),
          params: { path: { id: user.id } },
          body: { reason: 'test' },
        }),
      );
      const answer = await authenticate(authenticator.authenticate(await authenticationOptions()));
      expect(expectProblem(answer, 403).type).toBe('/problems/account-suspended');
    });
  });

  describe('managing them', () => {
    it("renames and removes your own; another account's is a 404", async () => {
      const { user, tokens, passkey, authenticator } = await aUserWithPasskey();
      const stranger = await aVerifiedUser(t);
      const rename = (accessToken: string, name: string) =>
        send(
          t.api.PATCH('/api/v1/auth/passkeys/{id}', {
            ...bearer(accessToken),
            params: { path: { id: passkey.id } },
            body: { name },
          }),
        );
      const remove = (accessToken: string) =>
        send(
          t.api.DELETE('/api/v1/auth/passkeys/{id}', {
            ...bearer(accessToken),
            params: { path: { id: passkey.id } },
          }),
        );
      expectProblem(await rename(stranger.tokens.accessToken, 'mine now'), 404);
      expectProblem(await remove(stranger.tokens.accessToken), 404);
      expect((await rename(tokens.accessToken, 'Work laptop')).body).toMatchObject({ name: 'Work laptop' });
      expect(expectProblem(await rename(tokens.accessToken, 'bad\u202ename'), 400).errors[0].pointer).toBe(
        '#/name',
      );

      expect((await remove(tokens.accessToken)).status).toBe(204);
      expect(await list(tokens.accessToken)).toEqual([]);
      expect((await me(tokens.accessToken)).body.mfa).toEqual({ totp: false, passkeys: 0 });
      const gone = await authenticate(authenticator.authenticate(await authenticationOptions()));
      expect(expectProblem(gone, 401).type).toBe('/problems/invalid-passkey');
      expect((await events(user.id, 'mfa.passkey-renamed'))[0]!.details).toEqual({
        passkeyId: passkey.id,
        name: 'Work laptop',
      });
      expect(await events(user.id, 'mfa.passkey-removed')).toHaveLength(1);
      // The admin's list shows them as openapi.json describes them (the test client checks it).
      const admin = await aSignedInAdmin(t);
      const listed = await t.http.get(`/audit-events?subjectUserId=${user.id}&type=mfa.passkey-renamed`, {
        token: admin.tokens.accessToken,
      });
      expect(listed.body.items.map((e: { details: object }) => e.details)).toEqual([
        { passkeyId: passkey.id, name: 'Work laptop' },
      ]);
    });

    it("an admin's reset removes them, with every session", async () => {
      const { user, tokens, authenticator } = await aUserWithPasskey();
      const admin = await aSignedInAdmin(t);
      const reset = await send(
        t.api.DELETE('/api/v1/users/{id}/mfa', {
          ...bearer(admin.tokens.accessToken),
          params: { path: { id: user.id } },
        }),
      );
      expect(reset.status).toBe(204);
      expectProblem(await me(tokens.accessToken), 401);
      const gone = await authenticate(authenticator.authenticate(await authenticationOptions()));
      expect(expectProblem(gone, 401).type).toBe('/problems/invalid-passkey');
      expect((await events(user.id, 'mfa.reset'))[0]!.details).toEqual({ hadTotp: false, passkeys: 1 });
    });
  });
});
