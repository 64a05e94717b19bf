/** The dashboard web app's JavaScript as a browser downloads it: each built chunk gzipped (level 9). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const WEB_ASSETS = fileURLToPath(new URL('../../../dashboard/web/dist/assets/', import.meta.url));

export type WebSizeResult =
  | { built: true; dir: string; files: number; totalGzipBytes: number; totalBytes: number; largest: { file: string; gzipBytes: number } }
  | { built: false; dir: string; why: string };

export function webJsSize(dir = WEB_ASSETS): WebSizeResult {
  const why = `${dir} ${existsSync(dir) ? 'holds no .js file' : 'is missing'}: build the web app first (pnpm build)`;
  if (!existsSync(dir)) return { built: false, dir, why };
  const files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
  if (files.length === 0) return { built: false, dir, why };
  let totalGzipBytes = 0;
  let totalBytes = 0;
  let largest = { file: '', gzipBytes: -1 };
  for (const file of files) {
    const bytes = readFileSync(join(dir, file));
    const gzipBytes = gzipSync(bytes, { level: 9 }).length;
    totalBytes += bytes.length;
    totalGzipBytes += gzipBytes;
    if (gzipBytes > largest.gzipBytes) largest = { file, gzipBytes };
  }
  return { built: true, dir, files: files.length, totalGzipBytes, totalBytes, largest };
}
