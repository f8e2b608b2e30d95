// Shows an API problem the way a person can act on it: what happened and what to do, in the user's language;
// the code (and the request id for support) in small print. role="alert" so it is heard when it appears.
import type { Ref } from "preact";
import { useMessages } from "../i18n/use-messages";
import { kitMessages } from "../messages";
import { useSettings } from "../settings/use-settings";
import type { ApiProblem } from "../api/problem";
import { problemText } from "./catalog";

export interface ErrorMessageProps {
  problem: Pick<ApiProblem, "code"> & Partial<Pick<ApiProblem, "requestId">>;
  /** Words of the screen's own for some codes, e.g. a login screen's wording for `unauthorized`. */
  override?: Partial<Record<string, { title: string; action?: string }>>;
  elementRef?: Ref<HTMLDivElement>;
}

export function ErrorMessage({ problem, override, elementRef }: ErrorMessageProps) {
  const t = useMessages(kitMessages);
  const { lang } = useSettings();
  const own = override?.[problem.code];
  const text = own ? { title: own.title, action: own.action ?? "", known: true } : problemText(problem.code, lang);
  return (
    <div class="ts-error" role="alert" ref={elementRef} data-problem-code={problem.code} tabIndex={-1}>
      <p class="ts-error__title">{text.title}</p>
      {text.action ? <p class="ts-error__action">{text.action}</p> : null}
      <p class="ts-error__meta">
        <span>{t("problem.code", { code: problem.code })}</span>
        {problem.requestId ? <span>{t("problem.requestId", { id: problem.requestId })}</span> : null}
      </p>
    </div>
  );
}
