import { useMemo, useState } from 'react';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { LevelLegend } from '../../../components/badges.js';
import { ButtonGroup } from '../../../components/ButtonGroup.js';
import { Panel } from '../../../components/Panel.js';
import { useI18n } from '../../../i18n/index.js';
import { formatDuration, formatTime, timeTicks } from '../../../lib/time.js';
import { useCheckpoints } from '../../corridor/hooks/useCheckpoints.js';
import { useCorridorLive } from '../../corridor/hooks/useCorridorLive.js';
import { TREND_HOURS, TYPICAL_WEEKS, bestHours, pivotTrend, typicalRows } from '../api.js';
import { useTypicalWait, useWaitTrend } from '../hooks/useWait.js';
import { WaitNowTable } from './WaitNowTable.js';

const IN = '#1f6feb';
const OUT = '#d9480f';

/** For logistics firms, no sign-in: waits now, their trend, typical wait by hour of day. */
export function LogisticsView() {
  const { t, local, lang } = useI18n();
  const cps = useCheckpoints();
  const corridor = useCorridorLive();
  const list = cps.list ?? [];
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const checkpoint = chosen ?? list[0]?.id;
  const [hours, setHours] = useState<(typeof TREND_HOURS)[number]>(6);
  const trend = useWaitTrend(checkpoint, hours);
  const typical = useTypicalWait(checkpoint, TYPICAL_WEEKS);
  const trendRows = useMemo(() => pivotTrend(trend.data ?? []), [trend.data]);
  const trendTicks = useMemo(() => (trendRows.length > 1 ? timeTicks(trendRows[0]!.t, trendRows[trendRows.length - 1]!.t, 8) : []), [trendRows]);
  const typRows = useMemo(() => typicalRows(typical.data ?? []), [typical.data]);
  const typicalEmpty = !!typical.data && typRows.every((r) => r.inboundMedian === null && r.outboundMedian === null);
  const trendEmpty = !!trend.data && trendRows.every((r) => r.inbound == null && r.outbound == null);
  const name = local(cps.byId.get(checkpoint ?? '')?.name);
  const fmtMin = (v: unknown) => formatDuration(Number(v) * 60, lang);
  const hoursText = (hs: number[]) => hs.map((h) => `${String(h).padStart(2, '0')}:00`).join(', ');

  return (
    <div className="page">
      <h1>{t('wait.title')}</h1>
      <p className="lead">{t('wait.intro')}</p>

      <Panel
        title={t('wait.now')}
        loading={(cps.loading && !cps.list) || corridor.loading}
        error={cps.error ?? corridor.error}
        onRetry={() => {
          cps.reload();
          corridor.reload();
        }}
        empty={list.length === 0}
        testId="wait-now-panel"
      >
        <WaitNowTable checkpoints={list} crossings={corridor.crossings} />
        <LevelLegend />
      </Panel>

      {list.length > 0 && (
        <div className="toolbar card">
          <span className="toolbar-label" aria-hidden="true">
            {t('wait.checkpoint')}:
          </span>
          <ButtonGroup
            label={t('wait.checkpoint')}
            value={checkpoint}
            onChange={setChosen}
            options={list.map((c) => ({ value: c.id, label: local(c.name) }))}
            className="wrap"
          />
        </div>
      )}

      <Panel
        title={`${t('wait.trend', { hours })}${name ? ` – ${name}` : ''}`}
        loading={!!checkpoint && trend.loading && !trend.data}
        error={trend.error}
        onRetry={trend.reload}
        empty={!checkpoint || trendEmpty}
        actions={
          <ButtonGroup
            label={t('wait.trendHours')}
            value={String(hours)}
            onChange={(v) => setHours(Number(v) as (typeof TREND_HOURS)[number])}
            options={TREND_HOURS.map((h) => ({ value: String(h), label: `${h} h` }))}
          />
        }
        testId="trend-panel"
      >
        <div className="chart" role="img" aria-label={t('wait.trend', { hours })}>
          <ResponsiveContainer width="100%" height={260}>
            <LineChart data={trendRows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
              <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
              <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} ticks={trendTicks} tickFormatter={(v: number) => formatTime(v)} minTickGap={30} />
              <YAxis width={44} label={{ value: t('officer.axisMinutes'), angle: -90, position: 'insideLeft', fontSize: 11 }} />
              <Tooltip labelFormatter={(v) => formatTime(Number(v))} formatter={fmtMin} />
              <Legend itemSorter={null} />
              <Line dataKey="inbound" name={t('dir.inbound')} stroke={IN} dot={false} strokeWidth={2} connectNulls isAnimationActive={false} />
              <Line dataKey="outbound" name={t('dir.outbound')} stroke={OUT} dot={false} strokeWidth={2} connectNulls isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      </Panel>

      <Panel
        title={`${t('wait.typical')}${name ? ` – ${name}` : ''}`}
        loading={!!checkpoint && typical.loading && !typical.data}
        error={typical.error}
        onRetry={typical.reload}
        empty={!checkpoint || typicalEmpty}
        note={t('wait.typicalNote', { weeks: typical.data?.[0]?.weeks ?? TYPICAL_WEEKS })}
        testId="typical-panel"
      >
        <div className="chart" role="img" aria-label={t('wait.typical')}>
          <ResponsiveContainer width="100%" height={280}>
            <ComposedChart data={typRows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
              <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
              <XAxis dataKey="label" minTickGap={8} />
              <YAxis width={44} label={{ value: t('officer.axisMinutes'), angle: -90, position: 'insideLeft', fontSize: 11 }} />
              <Tooltip formatter={fmtMin} />
              <Legend itemSorter={null} />
              <Bar dataKey="inboundMedian" name={`${t('dir.inbound')} – ${t('wait.median')}`} fill={IN} fillOpacity={0.75} isAnimationActive={false} />
              <Bar dataKey="outboundMedian" name={`${t('dir.outbound')} – ${t('wait.median')}`} fill={OUT} fillOpacity={0.75} isAnimationActive={false} />
              <Line dataKey="inboundP90" name={`${t('dir.inbound')} – ${t('wait.p90')}`} stroke={IN} strokeDasharray="4 3" dot={false} connectNulls isAnimationActive={false} />
              <Line dataKey="outboundP90" name={`${t('dir.outbound')} – ${t('wait.p90')}`} stroke={OUT} strokeDasharray="4 3" dot={false} connectNulls isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
        <ul className="best-hours">
          {(typical.data ?? []).map((tw) => {
            const hs = bestHours(tw);
            return hs.length ? <li key={tw.direction}>{t('wait.bestHours', { dir: t(`dir.${tw.direction}`), hours: hoursText(hs) })}</li> : null;
          })}
        </ul>
      </Panel>
    </div>
  );
}
