// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { I18nProvider } from '../i18n/index.js';
import { Panel } from './Panel.js';

afterEach(cleanup);

const inEnglish = (ui: React.ReactNode) => render(<I18nProvider initialLang="en">{ui}</I18nProvider>);

describe('Panel', () => {
  it('is a region named by its heading', () => {
    inEnglish(<Panel title="Throughput">content</Panel>);
    expect(screen.getByRole('region', { name: 'Throughput' }).textContent).toContain('content');
    expect(screen.getByRole('heading', { level: 2, name: 'Throughput' })).toBeTruthy();
  });

  it('says it is loading, empty, or failed instead of showing a blank box', () => {
    const { rerender } = inEnglish(<Panel title="P" loading />);
    expect(screen.getByRole('status').textContent).toBe('Loading…');
    rerender(
      <I18nProvider initialLang="en">
        <Panel title="P" empty>
          hidden
        </Panel>
      </I18nProvider>,
    );
    expect(screen.getByRole('status').textContent).toBe('No data yet');
    expect(screen.queryByText('hidden')).toBeNull();
    const retry = vi.fn();
    rerender(
      <I18nProvider initialLang="en">
        <Panel title="P" error={new Error('checkpoints: unknown checkpoint (is x)')} onRetry={retry} />
      </I18nProvider>,
    );
    expect(screen.getByRole('alert').textContent).toContain('Error: checkpoints: unknown checkpoint (is x)');
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(retry).toHaveBeenCalledOnce();
  });
});
