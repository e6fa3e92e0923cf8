import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';
import { requireTool } from '../support/prerequisites.ts';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const USER = 'ops';
const PASSWORD = 'dashboard-pass-9f2c';

let p: Pipeline;
let browser: Browser;
/** What bull-board calls its queue and job actions; a read-only dashboard offers none of them. */
const ACTION = /\b(pause|resume|empty|clean|obliterate|retry|promote|add job|duplicate|remove|concurrency|rate limit|update data|reschedule|reprioriti[sz]e)\b/i;

/** Every action the page offers: on its buttons, and in every menu it opens. */
async function actionsOffered(page: Page): Promise<string[]> {
  const offered: string[] = [];
  for (const b of await page.getByRole('button').all()) {
    const name = `${(await b.getAttribute('aria-label')) ?? ''} ${await b.innerText()}`;
    if (ACTION.test(name)) offered.push(name.trim());
  }
  const triggers = page.locator('button[aria-haspopup=menu]');
  const count = await triggers.count();
  for (let i = 0; i < count; i++) {
    await triggers.nth(i).click();
    await page.getByRole('menu').waitFor({ state: 'visible', timeout: 5_000 });
    offered.push(...(await page.getByRole('menuitem').allInnerTexts()).filter((t) => ACTION.test(t)));
    await page.keyboard.press('Escape');
  }
  return offered;
}

beforeAll(async () => {
  // First, so that a machine without Chromium hears it in one line before anything starts.
  const executablePath = requireTool('chromium');
  p = await startPipeline({ env: { DASHBOARD_USER: USER, DASHBOARD_PASSWORD: PASSWORD } });
  browser = await chromium.launch({ executablePath, headless: true, args: ARGS });
  const ids: string[] = [];
  for (const provider of ['aurpay', 'turinpay', 'aurpay', 'turinpay'] as const) {
    const { body } = withdrawalBody(provider);
    expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
    ids.push(body.id);
  }
  for (const id of ids) {
    await eventually(async () => ((await p.call('GET', `/v1/withdrawals/${id}`)).body.status === 'succeeded' ? true : undefined), 15_000, `${id} settled`);
  }
  mkdirSync('test-artifacts', { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await p?.close();
});

describe('the Bull dashboard in a real browser', () => {
  it('logs in with basic auth and shows every queue', async () => {
    const context = await browser.newContext({ httpCredentials: { username: USER, password: PASSWORD }, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const res = await page.goto(`${p.baseUrl}/admin/queues`);
    expect(res?.status()).toBe(200);
    for (const q of p.runtime.queues.all()) {
      await page.getByText(q.name, { exact: true }).first().waitFor({ state: 'visible', timeout: 15_000 });
    }
    // The submit queue's page: its completed jobs, and no button that could send money again.
    await page.goto(`${p.baseUrl}/admin/queues/queue/submit-aurpay?status=completed`);
    await page.getByText('Completed', { exact: false }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.getByText('Loading...').waitFor({ state: 'hidden', timeout: 15_000 });
    await page.screenshot({ path: 'test-artifacts/dashboard-submit-aurpay.png', fullPage: true });
    await page.goto(`${p.baseUrl}/admin/queues`);
    await page.getByText('submit-turinpay', { exact: true }).first().waitFor({ state: 'visible' });
    await page.getByText('Loading...').waitFor({ state: 'hidden', timeout: 15_000 });
    await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true });
    const text = await page.locator('body').innerText();
    for (const q of p.runtime.queues.all()) expect(text).toContain(q.name);
    await context.close();
  });

  it('shows every queue read-only: no action on any page or menu, "Read-only: Yes" in each queue\'s info', async () => {
    const context = await browser.newContext({ httpCredentials: { username: USER, password: PASSWORD }, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${p.baseUrl}/admin/queues`);
    await page.getByText('Loading...').waitFor({ state: 'hidden', timeout: 15_000 });
    await page.getByText('settle', { exact: true }).first().waitFor({ state: 'visible', timeout: 15_000 });
    expect(await actionsOffered(page), 'the overview').toEqual([]);
    for (const q of p.runtime.queues.all()) {
      // The completed list: the page where a writable queue offers retry and clean on each job.
      await page.goto(`${p.baseUrl}/admin/queues/queue/${q.name}?status=completed`);
      await page.getByText('Loading...').waitFor({ state: 'hidden', timeout: 15_000 });
      await page.getByRole('button', { name: 'Queue info' }).waitFor({ state: 'visible', timeout: 15_000 });
      expect(await actionsOffered(page), q.name).toEqual([]);
      await page.getByRole('button', { name: 'Queue info' }).click();
      const info = page.getByRole('dialog');
      await info.getByText('Read-only').waitFor({ state: 'visible', timeout: 5_000 });
      expect(await info.innerText(), q.name).toMatch(/Read-only\s+Yes/);
      await page.keyboard.press('Escape');
    }
    await page.goto(`${p.baseUrl}/admin/queues/queue/settle`);
    await page.getByText('Loading...').waitFor({ state: 'hidden', timeout: 15_000 });
    await page.screenshot({ path: 'test-artifacts/dashboard-settle.png', fullPage: true });
    await context.close();
  });

  it('shows the withdrawals page to the same login', async () => {
    const context = await browser.newContext({ httpCredentials: { username: USER, password: PASSWORD } });
    const page = await context.newPage();
    const res = await page.goto(`${p.baseUrl}/admin/withdrawals`);
    expect(res?.status()).toBe(200);
    await expect(page.locator('h2#succeeded').innerText()).resolves.toMatch(/^succeeded: 4/);
    await page.screenshot({ path: 'test-artifacts/withdrawals.png', fullPage: true });
    await context.close();
  });

  it('answers 401 without credentials', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Headless Chromium cancels the login prompt, so the navigation itself fails; the 401 it saw is the answer.
    const answer = page.waitForResponse((r) => r.url().endsWith('/admin/queues'));
    await page.goto(`${p.baseUrl}/admin/queues`).catch(() => undefined);
    const res = await answer;
    expect(res.status()).toBe(401);
    expect(await res.headerValue('www-authenticate')).toMatch(/^Basic /);
    expect(await res.text()).not.toContain('submit-aurpay');
    await context.close();
  });
});
