/** The benchmark's figures, the table printed from them, and the JSON written beside it. */

export interface Figure {
  /** Stable key in the JSON (tests and later sessions read it). */
  id: string;
  label: string;
  value: number;
  unit: string;
  /** What the issue asks, printed beside the figure; never asserted. */
  target?: string;
  /** Whether the figure meets `target` (undefined: the issue sets no target for it). */
  met?: boolean;
  /** value over the figure named by `ratioOf`, when the issue compares the two. */
  ratio?: number;
  ratioOf?: string;
  /** How it was measured, when the label alone does not say. */
  note?: string;
}

/** A figure of the issue that this run does not measure, printed so the table is not taken as complete. */
export interface NotMeasured {
  id: string;
  label: string;
  target?: string;
  why: string;
}

/** 1234567.8 → "1 234 568" (grouped as the README's tables), small values with decimals. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  const [int, frac] = x.toFixed(digits).split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

export function table(figures: readonly Figure[], notMeasured: readonly NotMeasured[]): string {
  const head = ['figure', 'value', 'unit', 'ratio', 'target', 'meets'];
  const rows: string[][] = figures.map((f) => [
    f.label,
    formatNumber(f.value),
    f.unit,
    f.ratio === undefined ? '' : `${f.ratio.toFixed(2)} of ${f.ratioOf ?? '?'}`,
    f.target ?? '',
    f.met === undefined ? '' : f.met ? 'yes' : 'NO',
  ]);
  for (const n of notMeasured) rows.push([n.label, 'not measured yet', '', '', n.target ?? '', '']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = new Set([1]);
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
