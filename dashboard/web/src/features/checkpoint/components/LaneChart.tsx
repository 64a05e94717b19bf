import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { QueuePoint } from '@gatewatch/shared';
import { seriesColor } from '../../../components/chartColors.js';
import { useI18n } from '../../../i18n/index.js';
import { formatDuration, formatTime, formatTimeSeconds } from '../../../lib/time.js';

export interface LaneChartProps {
  series: readonly QueuePoint[];
  lanes: readonly string[];
  metric: 'length' | 'waitS';
}

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
  const [min, max] = useMemo(() => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of series) {
      const ms = Date.parse(p.time);
      if (ms < lo) lo = ms;
      if (ms > hi) hi = ms;
    }
    return [lo, hi];
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
            domain={Number.isFinite(min) ? [min, max] : ['auto', 'auto']}
            tickFormatter={(v: number) => formatTime(v)}
            minTickGap={40}
            allowDuplicatedCategory={false}
          />
          <YAxis width={44} allowDecimals={metric !== 'length'} label={{ value: unit, angle: -90, position: 'insideLeft', fontSize: 11 }} />
          <Tooltip
            labelFormatter={(v) => formatTimeSeconds(Number(v))}
            formatter={(v) => (metric === 'length' ? String(v) : formatDuration(Number(v) * 60, lang))}
          />
          <Legend />
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
