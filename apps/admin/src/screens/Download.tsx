// A button that downloads a file the API serves (CSV, the Zengin file) with the session's token, and says why not.
import { Button, ErrorMessage, useMessages, type ApiProblem } from "@tsubaki/ui";
import { useState } from "preact/hooks";
import { downloadFile } from "../api";
import { adminMessages } from "../messages";

export function DownloadButton({ path, fileName, label, testId }: { path: string; fileName: string; label?: string; testId?: string }) {
  const t = useMessages(adminMessages);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  async function download() {
    setBusy(true);
    const r = await downloadFile(path, fileName);
    setBusy(false);
    setProblem(r.ok ? null : r.problem);
  }
  return (
    <div class="ts-stack">
      <Button variant="secondary" busy={busy} onClick={download} data-testid={testId}>
        {label ?? t("reports.csv")}
      </Button>
      {problem && <ErrorMessage problem={problem} />}
    </div>
  );
}
