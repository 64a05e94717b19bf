import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Channel, CheckpointInfo } from '@gatewatch/shared';
import { ChannelChip } from '../../../components/badges.js';
import { Panel } from '../../../components/Panel.js';
import { useI18n } from '../../../i18n/index.js';
import { formatDuration, formatFullDate } from '../../../lib/time.js';
import { clearanceQuery } from '../api.js';
import type { HistoryQuery } from '../api.js';
import { useClearanceTimes } from '../hooks/useHistory.js';
import { CsvLink } from './CsvLink.js';

const CHANNEL_ORDER: Record<Channel | 'unknown', number> = { green: 0, yellow: 1, red: 2, unknown: 3 };

export function ClearanceTimesPanel({ query: asked, checkpoints }: { query: HistoryQuery | null; checkpoints: ReadonlyMap<string, CheckpointInfo> }) {
  const { t, local, lang } = useI18n();
  const { query, clamped } = useMemo(() => (asked ? clearanceQuery(asked, Date.now()) : { query: null, clamped: false }), [asked]);
  const f = useClearanceTimes(query);
  const title = t('manager.clearanceTimes');
  const nameOf = (id: string) => local(checkpoints.get(id)?.name) || id;
  const order = query?.checkpoints ?? [];
  const rows = useMemo(
    () =>
      [...(f.data ?? [])].sort(
        (a, b) => order.indexOf(a.checkpoint) - order.indexOf(b.checkpoint) || CHANNEL_ORDER[a.channel] - CHANNEL_ORDER[b.channel],
      ),
    [f.data, order],
  );
  const perCheckpoint = useMemo(
    () =>
      order
        .map((c) => ({
          c,
          rows: rows
            .filter((r) => r.checkpoint === c)
            .map((r) => ({
              label: t(`channelShort.${r.channel}`),
              median: r.medianS === null ? null : Math.round(r.medianS / 60),
              p90: r.p90S === null ? null : Math.round(r.p90S / 60),
              p99: r.p99S === null ? null : Math.round(r.p99S / 60),
            })),
        }))
        .filter((x) => x.rows.length > 0),
    [rows, order, t],
  );
  return (
    <Panel
      title={title}
      loading={f.loading && !f.data}
      error={f.error}
      onRetry={f.reload}
      empty={!query || (!!f.data && f.data.length === 0)}
      actions={<CsvLink panel="clearance-times" query={query} title={title} />}
      note={
        clamped && query
          ? t('manager.clearanceClamped', { date: formatFullDate(query.from) })
          : t('manager.clearanceRetention')
      }
      testId="clearance-times-panel"
    >
      <div className="table-scroll" tabIndex={0} role="region" aria-label={title}>
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{t('common.checkpoint')}</th>
              <th scope="col">{t('officer.unitChannel')}</th>
              <th scope="col" className="num">
                {t('manager.units')}
              </th>
              <th scope="col" className="num">
                {t('manager.median')}
              </th>
              <th scope="col" className="num">
                {t('manager.p90')}
              </th>
              <th scope="col" className="num">
                {t('manager.p99')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.checkpoint}|${r.channel}`}>
                <th scope="row">{nameOf(r.checkpoint)}</th>
                <td>
                  <ChannelChip channel={r.channel} />
                </td>
                <td className="num">{r.units}</td>
                <td className="num">{formatDuration(r.medianS, lang)}</td>
                <td className="num">{formatDuration(r.p90S, lang)}</td>
                <td className="num">{formatDuration(r.p99S, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="small-multiples">
        {perCheckpoint.map(({ c, rows: data }) => (
          <figure key={c} className="chart" role="img" aria-label={`${title}: ${nameOf(c)} (${t('officer.axisMinutes')})`}>
            <figcaption>{nameOf(c)}</figcaption>
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
                <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
                <XAxis dataKey="label" interval={0} tick={{ fontSize: 12 }} />
                <YAxis width={44} label={{ value: t('officer.axisMinutes'), angle: -90, position: 'insideLeft', fontSize: 11 }} />
                <Tooltip formatter={(v) => formatDuration(Number(v) * 60, lang)} />
                <Legend itemSorter={null} />
                <Bar dataKey="median" name={t('manager.median')} fill="#1f6feb" isAnimationActive={false} />
                <Bar dataKey="p90" name={t('manager.p90')} fill="#f59f00" isAnimationActive={false} />
                <Bar dataKey="p99" name={t('manager.p99')} fill="#e03131" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </figure>
        ))}
      </div>
    </Panel>
  );
}
