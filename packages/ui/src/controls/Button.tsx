// Buttons and links styled as buttons: at least 48 px high (the stylesheet's --ts-touch), a visible focus ring,
// and a busy state that screen readers hear (aria-busy) while the click's request runs.
import type { ComponentChildren, JSX } from "preact";

export type ButtonVariant = "primary" | "secondary" | "danger" | "quiet";

export interface ButtonProps extends Omit<JSX.HTMLAttributes<HTMLButtonElement>, "class" | "type"> {
  variant?: ButtonVariant;
  type?: "button" | "submit" | "reset";
  /** Shows the spinner text and ignores clicks; the button keeps its place and its accessible name. */
  busy?: boolean;
  block?: boolean;
  disabled?: boolean;
  children: ComponentChildren;
}

export function Button({ variant = "primary", type = "button", busy = false, block = false, disabled, children, onClick, ...rest }: ButtonProps) {
  return (
    <button
      {...rest}
      type={type}
      class={`ts-button ts-button--${variant}${block ? " ts-button--block" : ""}`}
      aria-busy={busy || undefined}
      disabled={disabled}
      onClick={(event) => {
        if (busy) {
          event.preventDefault();
          return;
        }
        onClick?.(event);
      }}
    >
      {busy ? <span class="ts-spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}
