// The package entry: vitest helpers only, so importing it stays cheap; pg, chromium and pg-global-setup are subpaths.
export { reporters, testResultsDir } from "./vitest";
