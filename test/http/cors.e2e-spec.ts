import { startTestApp, type TestApp } from '../support/test-app.js';

const ALLOWED = 'https://app.example.test';

/** CORS for the origins in CORS_ORIGINS only (API.md), preflights included. */
describe('CORS (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: `${ALLOWED}, https://admin.example.test` });
  });
  afterAll(async () => {
    await t.close();
  });

  const preflight = (origin: string, method = 'PATCH', headers = 'authorization, content-type') =>
    fetch(`${t.http.baseUrl}/api/v1/users/me`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
    });

  it('lets a listed origin read an answer and the headers it needs, and says the answer varies by origin', async () => {
    const response = await t.http.get('/health/live', { headers: { origin: ALLOWED } });
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('vary')).toMatch(/origin/i);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/retry-after/);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/etag, link, idempotent-replayed/);
  });

  it('answers a listed origin’s preflight with the methods and headers the API takes', async () => {
    const response = await preflight(ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST, PATCH, DELETE');
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'authorization, content-type, x-request-id, if-match, if-none-match, idempotency-key',
    );
    expect(response.headers.get('access-control-max-age')).toBe('600');
  });

  it('gives any other origin nothing a browser would let it use, for answers and preflights alike', async () => {
    for (const origin of ['https://evil.example', 'https://app.example.test.evil.example', 'null']) {
      const answer = await t.http.get('/health/live', { headers: { origin } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      // Without Access-Control-Allow-Origin a browser uses neither the answer nor the preflight.
      const refused = await preflight(origin);
      expect(refused.status).toBe(204);
      expect(await refused.text()).toBe('');
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(refused.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('lets no origin in when CORS_ORIGINS is unset', async () => {
    const closed = await startTestApp({ CORS_ORIGINS: '' });
    try {
      const answer = await closed.http.get('/health/live', { headers: { origin: ALLOWED } });
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await closed.close();
    }
  });
});
