import type { ReactNode } from 'react';

export interface ButtonGroupProps<V extends string> {
  label: string;
  value: V | undefined;
  options: readonly { value: V; label: ReactNode; title?: string }[];
  onChange: (v: V) => void;
  className?: string;
}

/** A toggle group: real buttons, the chosen one aria-pressed. */
export function ButtonGroup<V extends string>({ label, value, options, onChange, className }: ButtonGroupProps<V>) {
  return (
    <div className={`btn-group ${className ?? ''}`} role="group" aria-label={label}>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          className="btn btn-toggle"
          aria-pressed={o.value === value}
          title={o.title}
          onClick={() => onChange(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
