import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { PASSWORD } from '../support/factories.js';
import { freePort } from '../support/free-port.js';
import { aVerifiedUser, startTestApp, type TestApp } from '../support/test-app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The browser's WebAuthn API, as the page sees it (the project compiles without DOM types). */
interface Credential {
  toJSON(): unknown;
}
interface WebAuthnNavigator {
  credentials: { create(options: object): Promise<Credential>; get(options: object): Promise<Credential> };
}
declare const PublicKeyCredential: {
  parseCreationOptionsFromJSON(options: unknown): object;
  parseRequestOptionsFromJSON(options: unknown): object;
};

/**
 * A passkey made and used by Chromium itself, through its virtual authenticator (the DevTools
 * protocol's WebAuthn domain): the browser builds the client data, checks the relying party
 * against the page's origin and signs, as it would with a phone or a security key.
 */
describe('passkeys in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let origin: string;
  let authenticatorId: string;

  beforeAll(async () => {
    // WebAuthn wants a name, not an IP address, and a secure context: localhost is both.
    const port = await freePort();
    origin = `http://localhost:${port}`;
    t = await startTestApp({ APP_PUBLIC_URL: origin }, undefined, { port });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-sync',
      ],
    });
    // The page is the API's own (its CSP allows no inline script): the test's script is not the page's.
    page = await (await browser.newContext({ bypassCSP: true })).newPage();
    await page.goto(`${origin}/docs`);
    cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('registers a passkey with navigator.credentials.create, then signs in with navigator.credentials.get', async () => {
    const { user, tokens } = await aVerifiedUser(t);

    const registered = await page.evaluate(
      async ({ accessToken, currentPassword }) => {
        const call = (path: string, body: unknown, token?: string) =>
          fetch(path, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(token && { authorization: `Bearer ${token}` }),
            },
            body: JSON.stringify(body),
          });
        const options = await (
          await call('/api/v1/auth/passkeys/registration/options', { currentPassword }, accessToken)
        ).json();
        const credential = await (navigator as unknown as WebAuthnNavigator).credentials.create({
          publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
        });
        const answer = await call(
          '/api/v1/auth/passkeys/registration',
          { response: credential.toJSON(), name: 'Chromium' },
          accessToken,
        );
        return { status: answer.status, body: await answer.json() };
      },
      { accessToken: tokens.accessToken, currentPassword: PASSWORD },
    );
    expect(registered).toMatchObject({ status: 201, body: { name: 'Chromium' } });
    // The authenticator holds it as a discoverable credential for this relying party.
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials.map((c) => [c.isResidentCredential, c.rpId])).toEqual([[true, 'localhost']]);

    const signedIn = await page.evaluate(async () => {
      const call = (path: string, body: unknown) =>
        fetch(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const options = await (
        await fetch('/api/v1/auth/passkeys/authentication/options', { method: 'POST' })
      ).json();
      const credential = await (navigator as unknown as WebAuthnNavigator).credentials.get({
        publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
      });
      const answer = await call('/api/v1/auth/passkeys/authentication', { response: credential.toJSON() });
      return { status: answer.status, body: (await answer.json()) as { accessToken: string } };
    });
    expect(signedIn).toMatchObject({ status: 200, body: { tokenType: 'Bearer' } });
    const me = await fetch(`${origin}/api/v1/users/me`, {
      headers: { authorization: `Bearer ${signedIn.body.accessToken}` },
    });
    expect(((await me.json()) as { id: string }).id).toBe(user.id);
  }, 60_000);
});
