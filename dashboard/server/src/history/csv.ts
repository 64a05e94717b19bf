/**
 * CSV for Excel, which is what managers open it with: UTF-8 with a byte order mark (or Excel
 * reads Vietnamese names as Latin-1), CRLF line ends, a header row, fields quoted when needed.
 * A field that starts like a formula is prefixed with ' so a spreadsheet does not run it.
 * Times are written in Vietnam's local time with its offset (2026-11-25T08:00:00.000+07:00):
 * managers read and sort them as the hours of their crossing, not as UTC.
 */
import type { Response } from 'express';
import { isoVietnam } from '@gatewatch/shared';

/** The columns holding an instant (answers carry them as UTC ISO strings). */
const TIME_COLUMNS = new Set(['time']);

function field(v: unknown, column: string): string {
  if (v === null || v === undefined) return '';
  if (TIME_COLUMNS.has(column) && typeof v === 'string') {
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return isoVietnam(ms);
  }
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => field(r[c], c)).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export function sendCsv<T extends object>(res: Response, filename: string, rows: readonly T[], columns: readonly (keyof T & string)[]): void {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
  res.send(toCsv(rows, columns));
}
