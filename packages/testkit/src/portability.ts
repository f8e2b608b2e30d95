// The source-portability suite for packages that must run in Node, browsers and Workers alike (qr, ride): every
// file opens with a comment saying why it exists, no file uses what one of those runtimes lacks, and the package
// imports nothing from outside but the modules it names. Each package passes its own list of what is forbidden.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";

export interface PortabilityRules {
  /** The package's src directory. */
  srcDir: string;
  /** What no file may use: a name for the test and a pattern. */
  forbidden: readonly (readonly [string, RegExp])[];
  /** Match the patterns against code only, not comment lines (a comment may name what the code must not use). */
  ignoreComments?: boolean;
  /** Every module imported from outside the package, exactly. */
  imports: readonly string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

export function describePortability(rules: PortabilityRules): void {
  describe("source portability", () => {
    const files = sourceFiles(rules.srcDir).map((path) => {
      const text = readFileSync(path, "utf8");
      // What the forbidden patterns are matched against (comment lines out, once per file, when asked).
      return { path, text, code: rules.ignoreComments ? text.replace(/^\s*(\/\/|\*|\/\*\*).*$/gm, "") : text };
    });

    test("every file opens with a comment saying why it exists", () => {
      for (const { path, text } of files) expect(text.startsWith("//"), path).toBe(true);
    });

    test.each([...rules.forbidden])("no file uses %s", (_, pattern) => {
      for (const { path, code } of files) expect(pattern.test(code), path).toBe(false);
    });

    test(`imports only ${rules.imports.join(", ")} from outside`, () => {
      const imports = files.flatMap(({ text }) => [...text.matchAll(/from "([^".][^"]*)"/g)].map((m) => m[1]));
      expect(new Set(imports)).toEqual(new Set(rules.imports));
    });
  });
}
