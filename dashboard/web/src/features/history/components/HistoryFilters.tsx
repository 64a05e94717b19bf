import type { CheckpointInfo } from '@gatewatch/shared';
import { ButtonGroup } from '../../../components/ButtonGroup.js';
import { useI18n } from '../../../i18n/index.js';
import { RANGE_PRESETS } from '../api.js';
import type { HistoryQueryState } from '../hooks/useHistoryQuery.js';

export function HistoryFilters({ q, checkpoints }: { q: HistoryQueryState; checkpoints: readonly CheckpointInfo[] }) {
  const { t, local } = useI18n();
  return (
    <form className="filters card" aria-label={t('manager.filters')} onSubmit={(e) => e.preventDefault()}>
      <fieldset>
        <legend>{t('manager.checkpoints')}</legend>
        <div className="checks">
          {checkpoints.map((c) => (
            <label key={c.id} className="check">
              <input type="checkbox" checked={q.selected.includes(c.id)} onChange={() => q.toggle(c.id)} />
              {local(c.name)}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('manager.range')}</legend>
        <ButtonGroup
          label={t('manager.range')}
          value={q.preset ?? undefined}
          onChange={q.choosePreset}
          options={RANGE_PRESETS.map((p) => ({ value: p, label: t(`manager.preset.${p}`) }))}
        />
        <div className="dates">
          <label className="field field-inline">
            <span>{t('manager.from')}</span>
            <input type="date" value={q.fromDate} max={q.toDate} onChange={(e) => q.setFromDate(e.target.value)} />
          </label>
          <label className="field field-inline">
            <span>{t('manager.to')}</span>
            <input type="date" value={q.toDate} min={q.fromDate} onChange={(e) => q.setToDate(e.target.value)} />
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('manager.interval')}</legend>
        <ButtonGroup
          label={t('manager.interval')}
          value={q.interval}
          onChange={q.setInterval}
          options={[
            { value: 'hour', label: t('manager.interval.hour') },
            { value: 'day', label: t('manager.interval.day') },
          ]}
        />
      </fieldset>
      {q.invalid && (
        <p className="form-error" role="alert">
          {q.invalid === 'noCheckpoint' ? t('manager.pickCheckpoint') : t('manager.badRange')}
        </p>
      )}
    </form>
  );
}
