export { createStore, type Store } from "./store";
export { useStore } from "./use-store";
