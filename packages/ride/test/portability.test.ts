// packages/ride runs in the wallet and the fare terminal (browsers), the API (Node and Workers): its source may
// not reach for Node built-ins, Buffer, process, the DOM or globals like indexedDB (the store is handed its
// IndexedDB), and it imports only @noble/curves and @noble/hashes from outside.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const srcDir = join(dirname(fileURLToPath(import.meta.url)), "../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

describe("source portability", () => {
  const files = sourceFiles(srcDir).map((path) => ({ path, text: readFileSync(path, "utf8") }));

  test("every file opens with a comment saying why it exists", () => {
    for (const { path, text } of files) expect(text.startsWith("//"), path).toBe(true);
  });

  test.each([
    ["Node built-ins", /from "node:|require\(/],
    ["Buffer", /\bBuffer\b/],
    ["process", /\bprocess\./],
    ["the DOM", /\b(document|window|navigator|localStorage)\./],
    ["global IndexedDB", /(?<![.\w])(indexedDB|IDBKeyRange)\b(?!:)/],
    ["timers (the app owns the loop)", /\b(setTimeout|setInterval)\(/],
    ["Date.now (time is passed in)", /\bDate\.now\(/],
    ["Math.random (randomness is passed in)", /\bMath\.random\(/],
  ])("no file uses %s", (_, pattern) => {
    for (const { path, text } of files) {
      const code = text.replace(/^\s*(\/\/|\*|\/\*\*).*$/gm, "");
      expect(pattern.test(code), path).toBe(false);
    }
  });

  test("imports only @noble/curves and @noble/hashes from outside", () => {
    const imports = files.flatMap(({ text }) => [...text.matchAll(/from "([^".][^"]*)"/g)].map((m) => m[1]));
    expect(new Set(imports)).toEqual(new Set(["@noble/curves/ed25519.js", "@noble/hashes/sha2.js", "@noble/hashes/utils.js"]));
  });
});
