/**
 * The dashboard as its three user groups use it, in Debian's chromium against the built web app
 * served by the real server, fed by the simulated corridor of the run command. Each view is
 * saved as a screenshot under test-results/screenshots/ (test artefacts, looked at by people).
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, PHONE, launchBrowser, screenshot } from '../harness/browser.js';

export interface TourLogin {
  username: string;
  password: string;
  role: 'officer' | 'manager';
  checkpoints?: string[];
  region?: string;
}

export interface TourOptions {
  url: string;
  logins: readonly TourLogin[];
  /** Unit ids (plates, containers, wagons) the corridor has seen: never on a public page. */
  unitIds: ReadonlySet<string>;
  /**
   * Makes a unit arrive at a crossing's queue as its camera would (through the broker) and
   * returns its id: at night the simulated port may see no arrival for minutes, and the
   * officer's list of units inside must show one that is certainly there.
   */
  arrive(checkpoint: string): Promise<string>;
}

const KIM_THANH_VI = 'Cửa khẩu quốc tế đường bộ số II Kim Thành';

async function newPage(browser: Browser, viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'vi-VN' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

/** Words of a page that look like any unit the corridor has seen. */
async function unitIdsShown(page: Page, unitIds: ReadonlySet<string>): Promise<string[]> {
  const text = await page.locator('body').innerText();
  return [...unitIds].filter((u) => text.includes(u));
}

async function signIn(page: Page, url: string, login: TourLogin): Promise<void> {
  await page.goto(`${url}#/login`);
  await page.getByLabel('Tên đăng nhập').fill(login.username);
  await page.getByLabel('Mật khẩu').fill(login.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Đăng xuất' }).count(), { timeout: 10_000 }).toBe(1);
}

/** Waits until a text of the page changes by itself (a live update), answering both texts. */
async function changesLive(page: Page, selector: string, timeoutMs = 30_000): Promise<[string, string]> {
  const before = await page.locator(selector).first().innerText();
  await expect.poll(() => page.locator(selector).first().innerText(), { timeout: timeoutMs, interval: 500 }).not.toBe(before);
  return [before, await page.locator(selector).first().innerText()];
}

export async function dashboardTour(opts: TourOptions): Promise<void> {
  const browser = await launchBrowser();
  try {
    await publicOverview(browser, opts);
    await logistics(browser, opts);
    await officer(browser, opts);
    await manager(browser, opts);
  } finally {
    await browser.close();
  }
}

/** Everyone: the three crossings in corridor order, live, in Vietnamese then English. */
async function publicOverview(browser: Browser, { url, unitIds }: TourOptions): Promise<void> {
  const page = await newPage(browser, DESKTOP);
  await page.goto(url);
  await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Tổng quan hành lang');
  expect(await page.locator('html').getAttribute('lang')).toBe('vi');
  const crossings = page.locator('[data-testid^="crossing-"]');
  await expect.poll(() => crossings.count()).toBe(3);
  expect(await crossings.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).toEqual([
    'crossing-lao-cai-rail',
    'crossing-kim-thanh-road',
    'crossing-dinh-vu-port',
  ]);
  await expect.poll(() => page.getByRole('heading', { name: KIM_THANH_VI }).count()).toBe(1);
  // Live: each crossing's estimate says when it was made; the corridor moves on without a reload.
  await expect.poll(() => page.locator('[data-testid="crossing-dinh-vu-port"] .crossing-footer').innerText()).toMatch(/Cập nhật \d\d:\d\d/);
  await changesLive(page, '[data-testid="corridor-panel"] .panel-actions');
  await screenshot(page, 'overview-vi-desktop');
  expect(await unitIdsShown(page, unitIds)).toEqual([]);

  await page.getByRole('button', { name: 'EN' }).click();
  await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Corridor overview');
  expect(await page.locator('html').getAttribute('lang')).toBe('en');
  expect(await page.getByRole('button', { name: 'EN' }).getAttribute('aria-pressed')).toBe('true');
  await expect.poll(() => page.getByRole('heading', { name: 'Kim Thanh International Road Border Gate' }).count()).toBe(1);
  await screenshot(page, 'overview-en-desktop');
  // The choice is kept for the next visit.
  await page.reload();
  await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Corridor overview');
  await page.getByRole('button', { name: 'VI' }).click();
  await page.context().close();

  const phone = await newPage(browser, PHONE);
  await phone.goto(url);
  await expect.poll(() => phone.locator('[data-testid^="crossing-"]').count()).toBe(3);
  await screenshot(phone, 'overview-vi-phone');
  // Nothing wider than the phone's screen but the tables that scroll by themselves.
  expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
  await phone.context().close();
}

/** Logistics firms: waits now, their trend, the typical wait by hour; no sign-in, no unit ids. */
async function logistics(browser: Browser, { url, unitIds }: TourOptions): Promise<void> {
  const page = await newPage(browser, DESKTOP);
  await page.goto(`${url}#/wait`);
  await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Thời gian chờ cho doanh nghiệp vận tải');
  await expect.poll(() => page.locator('tr[data-testid^="wait-"]').count()).toBe(6);
  await expect.poll(() => page.locator('[data-testid="wait-dinh-vu-port-inbound"]').innerText()).toMatch(/\d/);
  // Dinh Vu, open day and night (at night the road gate is closed and a station may wait
  // hours for a train: their trend can rightly be empty). Both charts drew (recharts paths), not
  // an empty or error state: the trend's lines, the typical wait's bars.
  await page.getByRole('button', { name: 'Cổng cảng Đình Vũ, Hải Phòng' }).click();
  await expect.poll(() => page.locator('[data-testid="trend-panel"] h2').innerText()).toContain('Đình Vũ');
  await expect.poll(() => page.locator('[data-testid="trend-panel"] .recharts-line-curve').count(), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect.poll(() => page.locator('[data-testid="typical-panel"] .recharts-bar-rectangle').count(), { timeout: 20_000 }).toBeGreaterThan(0);
  await screenshot(page, 'logistics-vi-desktop');
  expect(await unitIdsShown(page, unitIds)).toEqual([]);
  // In English for foreign carriers.
  await page.getByRole('button', { name: 'EN' }).click();
  await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Wait times for logistics firms');
  await expect.poll(() => page.locator('[data-testid="wait-now-panel"]').innerText()).toMatch(/Dinh Vu/);
  await screenshot(page, 'logistics-en-desktop');
  await page.getByRole('button', { name: 'VI' }).click();
  await page.context().close();

  const phone = await newPage(browser, PHONE);
  await phone.goto(`${url}#/wait`);
  await expect.poll(() => phone.locator('tr[data-testid^="wait-"]').count()).toBe(6);
  await screenshot(phone, 'logistics-vi-phone');
  expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
  await phone.context().close();
}

/**
 * No view shows two states for one thing (issue 13): a lane drawn closed has no wait figure,
 * only an open lane has a congestion colour, and each direction's card says what its lanes say
 * (open when one is, closed when all are).
 */
async function oneStatePerThing(page: Page): Promise<void> {
  const cards = page.locator('.lane-card');
  const lanes: { state: string | null; direction: string | null; cls: string; wait: string }[] = [];
  for (let i = 0; i < (await cards.count()); i++) {
    const card = cards.nth(i);
    lanes.push({
      state: await card.getAttribute('data-state'),
      direction: await card.getAttribute('data-direction'),
      cls: (await card.getAttribute('class')) ?? '',
      wait: await card.locator('[data-testid$="-wait"]').innerText(),
    });
  }
  expect(lanes.length).toBeGreaterThan(0);
  for (const l of lanes) {
    if (l.state === 'closed') {
      expect(l.cls, JSON.stringify(l)).toContain('level-closed');
      expect(l.wait, JSON.stringify(l)).toBe('Đóng cửa');
    }
    if (l.state !== 'open') expect(l.cls, JSON.stringify(l)).not.toMatch(/level-(normal|busy|congested)/);
  }
  const dirs = page.locator('.dir-card');
  const directions: { state: string | null; direction: string | null }[] = [];
  for (let i = 0; i < (await dirs.count()); i++) directions.push({ state: await dirs.nth(i).getAttribute('data-state'), direction: await dirs.nth(i).getAttribute('data-direction') });
  expect(directions.length).toBe(2);
  for (const d of directions) {
    const mine = lanes.filter((l) => l.direction === d.direction);
    if (mine.some((l) => l.state === 'open')) expect(d.state, d.direction ?? '').toBe('open');
    else if (mine.length > 0 && mine.every((l) => l.state === 'closed')) expect(d.state, d.direction ?? '').toBe('closed');
  }
}

/** A gate officer at Dinh Vu (open day and night): live lanes, units inside, devices; nothing of another crossing. */
async function officer(browser: Browser, { url, logins, arrive }: TourOptions): Promise<void> {
  const login = logins.find((l) => l.role === 'officer' && l.checkpoints?.includes('dinh-vu-port'))!;
  const page = await newPage(browser, DESKTOP);
  await signIn(page, url, login);
  await expect.poll(() => page.url()).toContain('#/checkpoint/dinh-vu-port');
  await expect.poll(() => page.locator('[data-testid^="lane-"][data-testid$="-queue"]').count()).toBeGreaterThan(0);
  await expect.poll(() => page.locator('[data-testid^="lane-"][data-testid$="-queue"]').first().innerText()).toMatch(/^\d+$/);
  // A lane card shows the time of its latest queue record: the edge's 10 s interval moves it.
  await changesLive(page, '.lane-card p.muted');
  await oneStatePerThing(page);
  // The two-hour live charts of queue length and wait drew their lines.
  await expect.poll(() => page.locator('.recharts-line-curve').count()).toBeGreaterThan(0);
  // Units inside with their channel and time so far (the edge lists them every queue interval,
  // 10 s); device health.
  const arrived = await arrive('dinh-vu-port');
  const units = page.getByRole('region', { name: /Phương tiện|Đơn vị|trong khu vực/i });
  await expect.poll(() => units.locator('tbody tr').filter({ hasText: arrived }).count(), { timeout: 30_000 }).toBe(1);
  await expect.poll(() => page.getByRole('region', { name: /Thiết bị/i }).locator('tbody tr').count()).toBeGreaterThan(3);
  await screenshot(page, 'officer-dinh-vu-desktop');
  await page.getByRole('button', { name: 'EN' }).click();
  await expect.poll(() => page.getByRole('region', { name: 'Units inside the control area' }).count()).toBeGreaterThan(0);
  await screenshot(page, 'officer-dinh-vu-en-desktop');
  await page.getByRole('button', { name: 'VI' }).click();
  await page.setViewportSize(PHONE);
  await screenshot(page, 'officer-dinh-vu-phone');
  await page.setViewportSize(DESKTOP);

  // Another crossing's page says the officer may not see it and shows nothing of it (the server
  // refuses its watch and its history as well: test/dashboard/live.test.ts, api.test.ts).
  await page.goto(`${url}#/checkpoint/kim-thanh-road`);
  await expect.poll(() => page.getByTestId('forbidden').count()).toBe(1);
  expect(await page.locator('[data-testid^="lane-"][data-testid$="-queue"]').count()).toBe(0);

  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect.poll(() => page.getByRole('link', { name: 'Đăng nhập' }).count()).toBeGreaterThan(0);
  await page.context().close();
}

/** A branch manager of Lao Cai: throughput, clearance times, heat map of the day of history; CSV. */
async function manager(browser: Browser, { url, logins }: TourOptions): Promise<void> {
  const login = logins.find((l) => l.role === 'manager' && l.region === 'lao-cai')!;
  const page = await newPage(browser, DESKTOP);
  await signIn(page, url, login);
  await expect.poll(() => page.url()).toContain('#/manager');
  await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Thống kê và so sánh');
  await expect.poll(() => page.locator('.recharts-bar-rectangle, .recharts-line-curve').count(), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect.poll(() => page.locator('[data-testid^="heatmap-"]').count()).toBeGreaterThan(0);
  await screenshot(page, 'manager-lao-cai-desktop');

  const link = page.getByRole('link', { name: /^Xuất CSV/ }).first();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  expect(csv[0]).toMatch(/checkpoint/);
  expect(csv.length).toBeGreaterThan(1);
  // Local times, as the managers read them in a spreadsheet; the region's crossings only.
  expect(csv.slice(1).every((l) => /\+07:00/.test(l))).toBe(true);
  expect(new Set(csv.slice(1).map((l) => l.split(',').find((f) => /^(lao-cai-rail|kim-thanh-road|dinh-vu-port)$/.test(f))))).toEqual(new Set(['lao-cai-rail', 'kim-thanh-road']));
  await page.setViewportSize(PHONE);
  await screenshot(page, 'manager-lao-cai-phone');
  await page.context().close();
}
