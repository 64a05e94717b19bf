import { useI18n } from '../../../i18n/index.js';
import { historyUrl } from '../api.js';
import type { HistoryPanel, HistoryQuery } from '../api.js';

/** Downloads the panel's query as CSV (the server names the file). */
export function CsvLink({ panel, query, title }: { panel: HistoryPanel; query: HistoryQuery | null; title: string }) {
  const { t } = useI18n();
  if (!query) return null;
  return (
    <a className="btn btn-small" href={historyUrl(panel, query, 'csv')} download aria-label={t('manager.exportCsvOf', { panel: title })}>
      ⤓ {t('manager.exportCsv')}
    </a>
  );
}
