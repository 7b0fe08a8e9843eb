import { connect } from 'node:net';
import { aUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * What a client chooses to send and a person later reads (their sessions, their security page, an
 * admin's export) arrives bounded and without control characters: a User-Agent cannot repaint a
 * terminal (ESC, U+009B CSI) or hide text in a victim's security page.
 */
describe('text a client chose (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores a User-Agent without C0, DEL or C1 control characters, and at most 512 characters', async () => {
    const body = aUser();
    expect((await t.http.post('/users', { body })).status).toBe(201);
    // As raw bytes: fetch and Node's client refuse to send such a header; an attacker's tool does
    // not. Node's parser already refuses C0 controls (a 400); C1 ones (U+009B CSI, U+0085 NEL) pass it.
    const hostile = `evil\u009b2J\u009b31m\u0085agent ${'x'.repeat(600)}`;
    const accessToken = await loginWithAgent(body, hostile);
    const sessions = await t.http.get('/auth/sessions', { token: accessToken });
    const [session] = sessions.body.items;
    expect(session.userAgent).toMatch(/^evil2J31magent x+$/);
    expect(session.userAgent).toHaveLength(512);
    const events = await t.http.get('/users/me/security-events', { token: accessToken });
    expect(events.body.items[0].userAgent).toBe(session.userAgent);
  });

  /** A login sent byte for byte (Latin-1, as Node reads header bytes); its access token. */
  function loginWithAgent(credentials: { email: string; password: string }, userAgent: string) {
    const { port } = new URL(t.http.baseUrl);
    const json = JSON.stringify({ email: credentials.email, password: credentials.password });
    const request =
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ${userAgent}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`;
    return new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(Buffer.from(request, 'latin1')));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
      socket.on('error', reject);
      socket.on('close', () => {
        const token = /"accessToken":"([^"]+)"/.exec(answer)?.[1];
        if (token) resolve(token);
        else reject(new Error(`no token in:\n${answer}`));
      });
    });
  }
});
