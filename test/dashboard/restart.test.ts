/**
 * Fault drill: the dashboard server restarted while browsers are connected (issue 5). A gate
 * officer's page in Debian's chromium, against the built web app served by the real server on
 * real mosquitto and influxd, stays open while the server stops and starts again on the same
 * address: the page reconnects by itself, still signed in (sessions kept in `sessionsFile`), and
 * shows the state the edges publish after the restart, without a reload. Meanwhile (issue 13)
 * every figure is marked stale with its age, as it is when the crossing's agent stops.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { freePort } from '@gatewatch/infra';
import { topics } from '@gatewatch/shared';
import { silentLog, startDashboard, type Dashboard, type DashboardConfig } from '@gatewatch/dashboard';
import { DESKTOP, launchBrowser, screenshot } from '../harness/browser.js';
import { REPO } from '../harness/agentProcess.js';
import { PASSWORD, Publisher, queueRecord, startServices, USERS, writeConfig, type Services } from './fixture.js';

const KT = 'kim-thanh-road';
const WEB = join(REPO, 'dashboard/web/dist');

describe('dashboard restarted under an open officer page', () => {
  let services: Services;
  let config: DashboardConfig;
  let dashboard: Dashboard | undefined;
  let browser: Browser;
  let pub: Publisher;

  const start = async () => (dashboard = await startDashboard(config, { staticDir: WEB, log: silentLog() }));

  beforeAll(async () => {
    if (!existsSync(join(WEB, 'index.html'))) throw new Error(`${WEB} is missing: the test command builds the web app first (pnpm build)`);
    services = await startServices('restart');
    const base = await writeConfig(services, 'restart');
    // A fixed port, as behind the crossing's reverse proxy: the browsers come back to it.
    config = { ...base, server: { ...base.server, port: await freePort() }, auth: { ...base.auth, sessionsFile: join(services.dir, 'restart', 'sessions.json') } };
    pub = await Publisher.connect(services.mosquitto.url);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await pub?.close();
    await dashboard?.stop();
    await services?.close();
  });

  it('reconnects signed in and shows the state published after the restart, without a reload', { timeout: 90_000 }, async () => {
    await start();
    const page = await (await browser.newContext({ viewport: DESKTOP, locale: 'vi-VN' })).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${dashboard!.url}/#/login`);
    await page.getByLabel('Tên đăng nhập').fill(USERS.officer);
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await expect.poll(() => page.url()).toContain(`#/checkpoint/${KT}`);

    const queue = page.getByTestId('lane-IN-1-queue');
    await pub.publish(topics.liveQueue(KT), queueRecord(KT, 'IN-1', Date.now(), { length: 4 }));
    await expect.poll(() => queue.innerText()).toBe('4');
    // Marks this very document: a reload would lose it.
    await page.evaluate('window.gwBeforeRestart = true');

    await dashboard!.stop();
    await expect.poll(() => page.getByRole('status').first().innerText(), { timeout: 15_000 }).toMatch(/Mất kết nối|Đang kết nối/);
    // Freshness (issue 13): with the server gone, the station is not green and every figure is
    // marked stale with its age, kept as the last known.
    const lane = page.getByTestId('lane-IN-1');
    await expect.poll(() => lane.getAttribute('data-state')).toBe('stale');
    await expect.poll(() => lane.innerText()).toMatch(/Số liệu \d+ giây trước/);
    expect(await queue.innerText()).toBe('4');
    await expect.poll(() => page.locator('.title-badges').innerText()).toMatch(/Mất kết nối · số liệu \d+ giây trước/);
    await screenshot(page, 'officer-server-stopped');
    await start();
    // The edges go on publishing; the page shows what comes after the restart.
    await expect
      .poll(
        async () => {
          await pub.publish(topics.liveQueue(KT), queueRecord(KT, 'IN-1', Date.now(), { length: 7 }));
          return queue.innerText();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe('7');
    expect(await page.evaluate('window.gwBeforeRestart === true')).toBe(true);
    await expect.poll(() => page.getByRole('button', { name: 'Đăng xuất' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('status').first().innerText()).toMatch(/Trực tiếp/);
    await expect.poll(() => lane.getAttribute('data-state')).toBe('open');
    await screenshot(page, 'officer-after-dashboard-restart');

    // The crossing's agent stops: the broker publishes its will (offline). Its figures are stale,
    // the last known with their age, and the station reads offline, not live.
    await pub.publish(topics.status(KT), 'offline', true);
    await expect.poll(() => page.locator('.title-badges').innerText()).toMatch(/Ngoại tuyến/);
    await expect.poll(() => lane.getAttribute('data-state')).toBe('stale');
    await expect.poll(() => lane.innerText()).toMatch(/Số liệu \d+ giây trước/);
    expect(await queue.innerText()).toBe('7');
    await expect.poll(() => page.locator('.dir-card[data-direction="inbound"]').getAttribute('data-state')).toBe('stale');
    await screenshot(page, 'officer-agent-stopped');
  });
});
