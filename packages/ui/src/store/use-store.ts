// The Preact side of a Store: a component re-renders when the store's value changes.
import { useEffect, useState } from "preact/hooks";
import type { Store } from "./store";

export function useStore<T>(store: Store<T>): T {
  const [value, setValue] = useState(store.get);
  useEffect(() => {
    setValue(() => store.get()); // it may have changed between render and effect
    return store.subscribe((next) => setValue(() => next));
  }, [store]);
  return value;
}
