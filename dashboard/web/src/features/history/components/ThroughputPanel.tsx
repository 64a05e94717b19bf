import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { CHANNELS } from '@gatewatch/shared';
import type { CheckpointInfo, HistoryInterval, ThroughputRow } from '@gatewatch/shared';
import { ChannelChip } from '../../../components/badges.js';
import { seriesColor } from '../../../components/chartColors.js';
import { Panel } from '../../../components/Panel.js';
import { useI18n } from '../../../i18n/index.js';
import { formatDate, formatDateTime } from '../../../lib/time.js';
import type { HistoryQuery } from '../api.js';
import { useThroughput } from '../hooks/useHistory.js';
import { CsvLink } from './CsvLink.js';

type PivotRow = { label: string; t: number } & Record<string, number | string>;

/** Rows per bucket with one column per checkpoint: the crossings side by side. */
export function pivotThroughput(rows: readonly ThroughputRow[], interval: HistoryInterval): PivotRow[] {
  const by = new Map<number, PivotRow>();
  for (const r of rows) {
    const t = Date.parse(r.time);
    let row = by.get(t);
    if (!row) by.set(t, (row = { t, label: interval === 'day' ? formatDate(t) : formatDateTime(t) }));
    row[r.checkpoint] = ((row[r.checkpoint] as number | undefined) ?? 0) + r.units;
  }
  return [...by.values()].sort((a, b) => a.t - b.t);
}

export function ThroughputPanel({ query, checkpoints }: { query: HistoryQuery | null; checkpoints: ReadonlyMap<string, CheckpointInfo> }) {
  const { t, local } = useI18n();
  const f = useThroughput(query);
  const interval = query?.interval ?? 'day';
  const rows = useMemo(() => pivotThroughput(f.data ?? [], interval), [f.data, interval]);
  const cps = query?.checkpoints ?? [];
  const totals = useMemo(() => {
    const m = new Map<string, { units: number; green: number; yellow: number; red: number; unknown: number }>();
    for (const r of f.data ?? []) {
      const x = m.get(r.checkpoint) ?? { units: 0, green: 0, yellow: 0, red: 0, unknown: 0 };
      x.units += r.units;
      x.green += r.green;
      x.yellow += r.yellow;
      x.red += r.red;
      x.unknown += r.unknown;
      m.set(r.checkpoint, x);
    }
    return m;
  }, [f.data]);
  const title = t('manager.throughput');
  const nameOf = (id: string) => local(checkpoints.get(id)?.name) || id;
  const Chart = interval === 'day' ? BarChart : LineChart;
  return (
    <Panel
      title={title}
      loading={f.loading && !f.data}
      error={f.error}
      onRetry={f.reload}
      empty={!query || (!!f.data && f.data.length === 0)}
      actions={<CsvLink panel="throughput" query={query} title={title} />}
      testId="throughput-panel"
    >
      <div className="chart" role="img" aria-label={title}>
        <ResponsiveContainer width="100%" height={280}>
          <Chart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
            <XAxis dataKey="label" minTickGap={24} />
            <YAxis width={48} allowDecimals={false} />
            <Tooltip />
            <Legend itemSorter={null} />
            {cps.map((c, i) =>
              interval === 'day' ? (
                <Bar key={c} dataKey={c} name={nameOf(c)} fill={seriesColor(i)} isAnimationActive={false} />
              ) : (
                <Line key={c} dataKey={c} name={nameOf(c)} stroke={seriesColor(i)} dot={false} strokeWidth={2} isAnimationActive={false} />
              ),
            )}
          </Chart>
        </ResponsiveContainer>
      </div>
      <div className="table-scroll" tabIndex={0} role="region" aria-label={t('manager.throughputTotals')}>
        <table className="data-table">
          <caption>{t('manager.throughputTotals')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('common.checkpoint')}</th>
              <th scope="col" className="num">
                {t('manager.total')}
              </th>
              {CHANNELS.map((ch) => (
                <th key={ch} scope="col" className="num">
                  <ChannelChip channel={ch} />
                </th>
              ))}
              <th scope="col" className="num">
                <ChannelChip channel="unknown" />
              </th>
            </tr>
          </thead>
          <tbody>
            {cps.map((c) => {
              const x = totals.get(c);
              return (
                <tr key={c}>
                  <th scope="row">{nameOf(c)}</th>
                  <td className="num">{x?.units ?? 0}</td>
                  <td className="num">{x?.green ?? 0}</td>
                  <td className="num">{x?.yellow ?? 0}</td>
                  <td className="num">{x?.red ?? 0}</td>
                  <td className="num">{x?.unknown ?? 0}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
