import { useMemo } from 'react';
import type { CSSProperties } from 'react';
import type { CheckpointInfo, HeatCell } from '@gatewatch/shared';
import { Panel } from '../../../components/Panel.js';
import { useI18n } from '../../../i18n/index.js';
import type { HistoryQuery } from '../api.js';
import { useHeatmap } from '../hooks/useHistory.js';
import { CsvLink } from './CsvLink.js';

const HOURS = Array.from({ length: 24 }, (_, h) => h);
const DAYS = [0, 1, 2, 3, 4, 5, 6];

/** 7 × 24 grid (Monday first, local hours) of one checkpoint's cells. */
export function heatGrid(cells: readonly HeatCell[], checkpoint: string): (number | null)[][] {
  const grid: (number | null)[][] = DAYS.map(() => HOURS.map(() => null));
  for (const c of cells) {
    if (c.checkpoint !== checkpoint || c.weekday < 0 || c.weekday > 6 || c.hour < 0 || c.hour > 23) continue;
    grid[c.weekday]![c.hour] = c.units;
  }
  return grid;
}

function cellStyle(v: number | null, max: number): CSSProperties | undefined {
  if (v === null || max <= 0) return undefined;
  const a = Math.min(1, v / max);
  return { background: `rgba(31, 111, 235, ${0.08 + a * 0.85})`, color: a > 0.55 ? '#fff' : '#111827' };
}

export function HeatmapPanel({ query, checkpoints }: { query: HistoryQuery | null; checkpoints: ReadonlyMap<string, CheckpointInfo> }) {
  const { t, local } = useI18n();
  const f = useHeatmap(query);
  const title = t('manager.heatmap');
  const cps = query?.checkpoints ?? [];
  const grids = useMemo(() => cps.map((c) => ({ c, grid: heatGrid(f.data ?? [], c) })), [cps, f.data]);
  const max = useMemo(() => (f.data ?? []).reduce((m, c) => Math.max(m, c.units), 0), [f.data]);
  return (
    <Panel
      title={title}
      loading={f.loading && !f.data}
      error={f.error}
      onRetry={f.reload}
      empty={!query || (!!f.data && f.data.length === 0)}
      actions={<CsvLink panel="heatmap" query={query} title={title} />}
      note={t('manager.heatmapNote')}
      testId="heatmap-panel"
    >
      <div className="heat-scale" aria-hidden="true">
        <span>0</span>
        <span className="heat-gradient" />
        <span>{max.toFixed(1)}</span>
      </div>
      <div className="heatmaps">
        {grids.map(({ c, grid }) => {
          const name = local(checkpoints.get(c)?.name) || c;
          return (
            <div className="table-scroll" tabIndex={0} role="region" aria-label={`${title}: ${name}`} key={c}>
              <table className="heatmap" data-testid={`heatmap-${c}`}>
                <caption>{name}</caption>
                <thead>
                  <tr>
                    <th scope="col">
                      <span className="sr-only">{t('manager.hour')}</span>
                    </th>
                    {HOURS.map((h) => (
                      <th key={h} scope="col">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {grid.map((row, d) => (
                    <tr key={d}>
                      <th scope="row" title={t(`weekday.${d}` as 'weekday.0')}>
                        {t(`weekdayShort.${d}` as 'weekdayShort.0')}
                      </th>
                      {row.map((v, h) => (
                        <td
                          key={h}
                          style={cellStyle(v, max)}
                          title={`${t(`weekday.${d}` as 'weekday.0')} ${String(h).padStart(2, '0')}:00 – ${v === null ? '–' : v.toFixed(1)}`}
                        >
                          {v === null ? '' : Math.round(v)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        })}
      </div>
    </Panel>
  );
}
