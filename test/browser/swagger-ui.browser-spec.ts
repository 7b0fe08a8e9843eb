import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { aUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Debian's Chromium (`apt-get install chromium`); Playwright cannot download its own browser here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = 'test/artifacts';

describe('Swagger UI in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 2000 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Opens an operation, presses "Try it out", fills the body, executes, and returns the status shown. */
  async function tryOut(
    operationId: string,
    tag: string,
    body?: unknown,
  ): Promise<{ status: string; response: string }> {
    const block = page.locator(`#operations-${tag}-${operationId}`);
    if (!(await block.locator('.opblock-body').isVisible()))
      await block.locator('.opblock-summary').first().click();
    await block.locator('button.try-out__btn').click();
    if (body !== undefined)
      await block.locator('textarea.body-param__text').fill(JSON.stringify(body, null, 2));
    await block.locator('button.execute').click();
    const status = block.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor({ timeout: 15_000 });
    const response =
      (await block.locator('.live-responses-table .response-col_description pre').first().textContent()) ??
      '';
    return { status: ((await status.textContent()) ?? '').trim(), response };
  }

  it('signs up and logs in with "Try it out", authorizes with the token, and reads /users/me', async () => {
    await page.goto(`${t.http.baseUrl}/docs`);
    await page.locator('#operations-users-users_create').waitFor({ timeout: 15_000 });

    const user = aUser({ name: 'Browser User' });
    expect((await tryOut('users_create', 'users', user)).status).toBe('201');
    const login = await tryOut('auth_login', 'auth', { email: user.email, password: user.password });
    expect(login.status).toBe('200');
    const { accessToken } = JSON.parse(login.response);

    await page.locator('.scheme-container button.authorize').click();
    // The first scheme is the user's bearer token (the second, /metrics's token, stays empty).
    const scheme = page.locator('.modal-ux .auth-container').first();
    expect(await scheme.locator('h4').first().textContent()).toMatch(/^bearer/);
    await scheme.locator('input').fill(accessToken);
    await scheme.locator('button.authorize').click();
    await page.locator('.modal-ux button.btn-done').first().click();

    const me = await tryOut('users_getMe', 'users');
    expect(me.status).toBe('200');
    expect(JSON.parse(me.response)).toMatchObject({ email: user.email, name: 'Browser User' });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page
      .locator('#operations-users-users_getMe')
      .screenshot({ path: `${ARTIFACTS}/swagger-ui-users-me.png` });
    await page.screenshot({ path: `${ARTIFACTS}/swagger-ui.png`, fullPage: true });
  }, 90_000);
});
