import { signUp } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];

describe('login timing (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  // ASVS 6.3.8: an unknown email costs the same argon2 verification as a wrong password, so the
  // response time does not tell whether an account exists.
  it('takes about as long for an unknown email as for a wrong password (medians of 30 within 25%)', async () => {
    const user = await signUp(t.api);
    const time = async (email: string) => {
      const started = performance.now();
      const response = await t.http.post('/auth/login', { body: { email, password: 'wrong password 123' } });
      expect(response.status).toBe(401);
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 30; i++) {
      known.push(await time(user.email));
      unknown.push(await time(`nobody-${i}@example.com`));
    }
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.25);
  });
});
