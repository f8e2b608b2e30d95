// A group of radio buttons (one choice, e.g. the language) and a labelled checkbox (on/off, e.g. large text),
// both with the whole row as the touch target.
import { useId } from "preact/hooks";

export interface ChoiceOption<V extends string> {
  value: V;
  label: string;
  /** The language of the label, when it differs from the page's (a language's own name). */
  lang?: string;
}

export interface ChoiceGroupProps<V extends string> {
  name: string;
  legend: string;
  value: V;
  options: readonly ChoiceOption<V>[];
  onChange: (value: V) => void;
}

export function ChoiceGroup<V extends string>({ name, legend, value, options, onChange }: ChoiceGroupProps<V>) {
  const generated = useId();
  return (
    <fieldset class="ts-choice">
      <legend class="ts-field__label">{legend}</legend>
      {options.map((option) => {
        const id = `ts-choice-${generated}-${option.value}`;
        return (
          <label class="ts-choice__option" for={id} key={option.value}>
            <input
              type="radio"
              id={id}
              name={name}
              value={option.value}
              checked={option.value === value}
              onChange={() => onChange(option.value)}
            />
            <span lang={option.lang}>{option.label}</span>
          </label>
        );
      })}
    </fieldset>
  );
}

export interface ToggleFieldProps {
  id?: string;
  label: string;
  hint?: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}

export function ToggleField({ id, label, hint, checked, onChange }: ToggleFieldProps) {
  const generated = useId();
  const inputId = id ?? `ts-toggle-${generated}`;
  const hintId = hint ? `${inputId}-hint` : undefined;
  return (
    <div class="ts-toggle">
      <label class="ts-choice__option" for={inputId}>
        <input
          type="checkbox"
          id={inputId}
          checked={checked}
          aria-describedby={hintId}
          onChange={(event) => onChange(event.currentTarget.checked)}
        />
        <span>{label}</span>
      </label>
      {hint ? (
        <p class="ts-field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
