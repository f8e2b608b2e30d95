// packages/qr must run in Node, browsers and Cloudflare Workers: its source may not reach for Node built-ins,
// Buffer, process or the DOM, and it imports qrcode's pure core only.
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
    ["the DOM", /\b(document|window|navigator)\.|HTMLCanvasElement/],
  ])("no file uses %s", (_, pattern) => {
    for (const { path, text } of files) expect(pattern.test(text), path).toBe(false);
  });

  test("imports only @noble/hashes and qrcode's pure core from outside", () => {
    const imports = files.flatMap(({ text }) => [...text.matchAll(/from "([^".][^"]*)"/g)].map((m) => m[1]));
    expect(new Set(imports)).toEqual(new Set(["@noble/hashes/hmac.js", "@noble/hashes/sha2.js", "qrcode/lib/core/qrcode.js"]));
  });
});
