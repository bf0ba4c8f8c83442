import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ROOT, STATE_DIR } from '../../../../scripts/local-stack/paths';
import { baseUrl, uniqueUserId } from '../../../../test/support/http';

/**
 * The console in a real browser: Debian's Chromium (CHROMIUM_PATH), never a downloaded one. With
 * UPDATE_SCREENSHOT=1 the screenshot it takes becomes the README's (docs/console.png).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let browser: Browser;
let page: Page;
beforeAll(async () => {
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
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
}, 60_000);
afterAll(() => browser?.close());

const send = async (eventType: string, userId: string, fields: Record<string, string>) => {
  const form = page.getByTestId('command-form');
  await form.locator('select[name=event_type]').selectOption(eventType);
  await form.locator('input[name=user_id]').fill(userId);
  for (const [name, value] of Object.entries(fields)) {
    await form.locator(`input[name=${name}]`).fill(value);
  }
  await form.getByRole('button', { name: 'Send' }).click();
};

describe('the console, in Chromium', () => {
  it('sends commands, shows them live, and travels back in a user history', async () => {
    const userId = uniqueUserId('console');
    await page.goto(`${baseUrl()}/console`);

    await send('USER_CREATED', userId, { name: 'Grace Hopper', email: 'grace@example.com' });
    await page.getByTestId('answer').filter({ hasText: 'Event stored' }).waitFor();
    await page.getByTestId('lag').waitFor();
    await page.getByTestId('feed').getByText(userId).first().waitFor();
    await page.getByTestId('users').getByText(userId).waitFor();

    await send('USER_BALANCE', userId, { delta: '40' });
    await page.getByTestId('answer').filter({ hasText: '"sequence": 2' }).waitFor();
    await page.getByTestId('users').getByText(userId).click();
    await expectCount(page.getByTestId('history').locator('li'), 2);
    await page
      .getByTestId('detail')
      .locator('[data-field=Balance]')
      .filter({ hasText: '40' })
      .waitFor();

    await page
      .getByTestId('version')
      .evaluate((slider: { value: string; dispatchEvent(event: Event): boolean }) => {
        slider.value = '1';
        slider.dispatchEvent(new Event('input', { bubbles: true }));
      });
    await page
      .getByTestId('detail')
      .locator('[data-field=Version]')
      .filter({ hasText: /^1$/ })
      .waitFor();
    expect(await page.getByTestId('detail').locator('[data-field=Balance]').textContent()).toBe(
      '0',
    );

    await send('USER_BALANCE', userId, { delta: '-100' });
    const refusal = page.getByTestId('answer').filter({ hasText: 'Balance cannot go below 0' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/^422/);

    await page
      .getByTestId('feed')
      .locator('li', { hasText: userId })
      .filter({ hasText: '+40' })
      .waitFor();
    mkdirSync(STATE_DIR, { recursive: true });
    const screenshot = join(STATE_DIR, 'console.png');
    await page.screenshot({ path: screenshot });
    if (process.env.UPDATE_SCREENSHOT === '1')
      copyFileSync(screenshot, join(ROOT, 'docs/console.png'));
  }, 60_000);
});

const expectCount = async (locator: ReturnType<Page['locator']>, count: number) => {
  await locator.nth(count - 1).waitFor();
  expect(await locator.count()).toBe(count);
};
