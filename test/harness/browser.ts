/**
 * Debian's chromium driven by playwright-core: never a downloaded browser (they fail here).
 * The flags: headless as root in a sandboxless container, and no background networking (this
 * machine's closed network refuses Chromium's own connections, many at a time).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO } from './agentProcess.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Where screenshots go: test artefacts, kept after the run to be looked at (not committed). */
export const SCREENSHOTS = join(REPO, 'test-results', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the test command's setup installs Debian's chromium (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** A full-page screenshot under SCREENSHOTS; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
