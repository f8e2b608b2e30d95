// A password input with a show/hide button. The button is a toggle (aria-pressed) with a fixed name, and it
// controls the input, so a screen reader user knows what it does and whether the password is visible.
import { useId, useState } from "preact/hooks";
import { useMessages } from "../i18n/use-messages";
import { kitMessages } from "../messages";
import { TextField, type TextFieldProps } from "./TextField";

export type PasswordFieldProps = Omit<TextFieldProps, "type" | "trailing">;

export function PasswordField(props: PasswordFieldProps) {
  const t = useMessages(kitMessages);
  const [visible, setVisible] = useState(false);
  const generated = useId();
  const id = props.id ?? `ts-password-${generated}`;
  return (
    <TextField
      {...props}
      id={id}
      type={visible ? "text" : "password"}
      autoCapitalize="off"
      autoCorrect="off"
      spellcheck={false}
      trailing={
        <button
          type="button"
          class="ts-button ts-button--quiet ts-field__toggle"
          aria-pressed={visible}
          aria-controls={id}
          onClick={() => setVisible((v) => !v)}
        >
          {visible ? t("password.hide") : t("password.show")}
        </button>
      }
    />
  );
}
