// Types for vitest.js (which stays plain JS so vitest.config.ts files can load it without a TS loader).
/** The folder every suite writes its JSON report to (TEST_RESULTS_DIR or <repo>/.test-results). */
export declare function testResultsDir(): string;
/** Reporters for a package's vitest config: the default console output plus a JSON file named after the suite. */
export declare function reporters(suite: string): Array<string | [string, Record<string, unknown>]>;
