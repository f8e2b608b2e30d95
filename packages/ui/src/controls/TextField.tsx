// A labelled input with an optional hint and error, wired for assistive technology: the label is a real
// <label for>, the hint and the error are in aria-describedby, and an error sets aria-invalid.
import type { ComponentChildren, JSX } from "preact";
import { useId } from "preact/hooks";

export interface TextFieldProps extends Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "class" | "id" | "onInput" | "value"> {
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string;
  error?: string | null;
  id?: string;
  /** Rendered inside the field's row, after the input (the password toggle uses it). */
  trailing?: ComponentChildren;
}

export function TextField({ label, value, onValue, hint, error, id, trailing, ...rest }: TextFieldProps) {
  const generated = useId();
  const inputId = id ?? `ts-field-${generated}`;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`ts-field${error ? " ts-field--error" : ""}`}>
      <label class="ts-field__label" for={inputId}>
        {label}
      </label>
      {hint ? (
        <p class="ts-field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <div class="ts-field__row">
        <input
          {...rest}
          id={inputId}
          class="ts-input"
          value={value}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          onInput={(event) => onValue(event.currentTarget.value)}
        />
        {trailing}
      </div>
      {error ? (
        <p class="ts-field__error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
