import { useId } from 'react';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/index.js';

export interface PanelProps {
  title: string;
  /** Heading level of the title (h2 by default). */
  level?: 2 | 3;
  loading?: boolean;
  error?: Error | string | undefined;
  empty?: boolean;
  onRetry?: () => void;
  actions?: ReactNode;
  note?: ReactNode;
  className?: string;
  testId?: string;
  children?: ReactNode;
}

/**
 * A titled section that always says what it is doing: loading, failed (with the server's
 * message), or empty ("no data yet"); never a blank box.
 */
export function Panel({ title, level = 2, loading, error, empty, onRetry, actions, note, className, testId, children }: PanelProps) {
  const { t } = useI18n();
  const id = useId();
  const H = level === 2 ? 'h2' : 'h3';
  let body: ReactNode;
  if (error) {
    const message = typeof error === 'string' ? error : error.message;
    body = (
      <div className="state state-error" role="alert">
        <span>{t('state.error', { message })}</span>
        {onRetry && (
          <button type="button" className="btn btn-small" onClick={onRetry}>
            {t('state.retry')}
          </button>
        )}
      </div>
    );
  } else if (loading) {
    body = (
      <div className="state state-loading" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" />
        {t('state.loading')}
      </div>
    );
  } else if (empty) {
    body = (
      <div className="state state-empty" role="status">
        {t('state.empty')}
      </div>
    );
  } else {
    body = children;
  }
  return (
    <section className={`panel ${className ?? ''}`} aria-labelledby={id} data-testid={testId}>
      <header className="panel-header">
        <H id={id} className="panel-title">
          {title}
        </H>
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      {note && <p className="panel-note">{note}</p>}
      {body}
    </section>
  );
}
