import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { LIVE_SERIES_MS } from '@gatewatch/shared';
import type { QueuePoint } from '@gatewatch/shared';
import { seriesColor } from '../../../components/chartColors.js';
import { useI18n } from '../../../i18n/index.js';
import { formatDuration, formatTime, formatTimeSeconds, timeTicks } from '../../../lib/time.js';

export interface LaneChartProps {
  series: readonly QueuePoint[];
  lanes: readonly string[];
  metric: 'length' | 'waitS';
}

const MIN_WINDOW_MS = 10 * 60_000;

interface Row {
  t: number;
  v: number;
}

/** One line per lane over the last two hours; x is time (ms), y the queue length or wait in minutes. */
export const LaneChart = memo(function LaneChart({ series, lanes, metric }: LaneChartProps) {
  const { t, lang } = useI18n();
  const byLane = useMemo(() => {
    const m = new Map<string, Row[]>(lanes.map((l) => [l, []]));
    for (const p of series) {
      let rows = m.get(p.lane);
      if (!rows) m.set(p.lane, (rows = []));
      rows.push({ t: Date.parse(p.time), v: metric === 'length' ? p.length : Math.round(p.waitS / 6) / 10 });
    }
    return m;
  }, [series, lanes, metric]);
  // two hours ending at the newest point (at least ten minutes while the series is young), so
  // the chart scrolls rather than stretches
  const [min, max] = useMemo(() => {
    let hi = -Infinity;
    for (let i = series.length - 1; i >= Math.max(0, series.length - 16); i--) hi = Math.max(hi, Date.parse(series[i]!.time));
    const first = series.length ? Date.parse(series[0]!.time) : hi;
    return [Math.min(hi - MIN_WINDOW_MS, Math.max(first, hi - LIVE_SERIES_MS)), hi];
  }, [series]);
  const unit = metric === 'length' ? t('officer.axisUnits') : t('officer.axisMinutes');
  return (
    <div className="chart" role="img" aria-label={metric === 'length' ? t('officer.chartQueue') : t('officer.chartWait')}>
      <ResponsiveContainer width="100%" height={240}>
        <LineChart margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={Number.isFinite(max) ? [min, max] : ['auto', 'auto']}
            {...(Number.isFinite(max) ? { ticks: timeTicks(min, max, 8) } : {})}
            tickFormatter={(v: number) => formatTime(v)}
            minTickGap={40}
          />
          <YAxis width={44} allowDecimals={metric !== 'length'} label={{ value: unit, angle: -90, position: 'insideLeft', fontSize: 11 }} />
          <Tooltip
            labelFormatter={(v) => formatTimeSeconds(Number(v))}
            formatter={(v) => (metric === 'length' ? String(v) : formatDuration(Number(v) * 60, lang))}
          />
          <Legend itemSorter={null} />
          {[...byLane.entries()].map(([lane, rows], i) => (
            <Line
              key={lane}
              data={rows}
              dataKey="v"
              name={lane}
              type="monotone"
              stroke={seriesColor(i)}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
});
