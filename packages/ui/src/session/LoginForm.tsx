// The sign-in form every app uses: login ID and password (with show/hide), checks that say which field is
// missing, and the API's answer as a message that says what to do. Focus moves to the first problem, so
// keyboard and screen reader users land where the fix is.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ApiClient } from "../api/client";
import type { ApiProblem } from "../api/problem";
import { Button } from "../controls/Button";
import { PasswordField } from "../controls/PasswordField";
import { TextField } from "../controls/TextField";
import { useMessages } from "../i18n/use-messages";
import { kitMessages } from "../messages";
import { ErrorMessage } from "../problems/ErrorMessage";

export interface LoginFormProps {
  client: Pick<ApiClient, "login">;
  onSignedIn?: () => void;
  /** Where this app's users find their login ID; default the resident's wording (the city's letter). */
  idHint?: string;
}

type FieldErrors = { login?: string; password?: string };

export function LoginForm({ client, onSignedIn, idHint }: LoginFormProps) {
  const t = useMessages(kitMessages);
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const errorRef = useRef<HTMLDivElement>(null);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (problem) errorRef.current?.focus();
  }, [problem]);
  // After the render that shows them: focus the first field with an error.
  useEffect(() => {
    if (fieldErrors.login || fieldErrors.password) formRef.current?.querySelector<HTMLInputElement>("[aria-invalid=true]")?.focus();
  }, [fieldErrors]);

  const wrongCredentials = { title: t("login.failedTitle"), action: t("login.failedAction") };

  async function submit(event: Event) {
    event.preventDefault();
    const errors: FieldErrors = {};
    if (login.trim() === "") errors.login = t("login.idRequired");
    if (password === "") errors.password = t("login.passwordRequired");
    setFieldErrors(errors);
    setProblem(null);
    if (errors.login || errors.password) return;
    setBusy(true);
    const result = await client.login(login.trim(), password);
    setBusy(false);
    if (result.ok) {
      setPassword("");
      onSignedIn?.();
    } else {
      setProblem(result.problem);
    }
  }

  return (
    <form class="ts-stack" ref={formRef} onSubmit={submit} noValidate>
      {problem ? (
        <ErrorMessage
          problem={problem}
          elementRef={errorRef}
          override={{ unauthorized: wrongCredentials, invalid_credentials: wrongCredentials, login_failed: wrongCredentials }}
        />
      ) : null}
      <TextField
        label={t("login.id")}
        hint={idHint ?? t("login.idHint")}
        value={login}
        onValue={setLogin}
        error={fieldErrors.login ?? null}
        name="username"
        autoComplete="username"
        autoCapitalize="off"
        spellcheck={false}
        required
      />
      <PasswordField
        label={t("login.password")}
        value={password}
        onValue={setPassword}
        error={fieldErrors.password ?? null}
        name="password"
        autoComplete="current-password"
        required
      />
      <Button type="submit" busy={busy} block>
        {t("login.submit")}
      </Button>
    </form>
  );
}
