// Loading one resource for a screen: loading, the data, or the problem, and a reload for the retry button.
import { useCallback, useEffect, useState } from "preact/hooks";
import type { ApiClient } from "./client";
import type { ApiProblem } from "./problem";

export type Loadable<T> = { state: "loading" } | { state: "ok"; data: T } | { state: "error"; problem: ApiProblem };

export function useApiGet<T>(client: Pick<ApiClient, "get">, path: string): [Loadable<T>, () => void] {
  const [value, setValue] = useState<Loadable<T>>({ state: "loading" });
  const [round, setRound] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setValue({ state: "loading" });
    void client.get<T>(path, { signal: controller.signal }).then((result) => {
      if (controller.signal.aborted) return;
      setValue(result.ok ? { state: "ok", data: result.data } : { state: "error", problem: result.problem });
    });
    return () => controller.abort();
  }, [client, path, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return [value, reload];
}
