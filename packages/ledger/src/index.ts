// Public surface of the pure double-entry core: types, validation, planning, hashing, result codes.
export * from "./types";
export * from "./assert";
export * from "./codes";
export * from "./canonical";
export * from "./validate";
export * from "./plan";
export * from "./store";
export * from "./group-commit";
