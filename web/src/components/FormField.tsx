import type { ReactNode } from 'react';

/** The star after the label of a field that must be filled (hidden from screen readers, which hear `required`). */
export function RequiredMark() {
  return (
    <span className="required" aria-hidden="true">
      {' '}
      *
    </span>
  );
}

/** One field of a form grid: a label naming the control by its `id`, then the control. */
export function FormField({
  id,
  label,
  required,
  wide,
  children,
}: {
  id: string;
  label: string;
  /** Marks the label; the control itself carries `required`. */
  required?: boolean;
  /** Spans the whole row (long text). */
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <div className={wide ? 'form-field wide' : 'form-field'}>
      <label htmlFor={id}>
        {label}
        {required && <RequiredMark />}
      </label>
      {children}
    </div>
  );
}
