// packages/qr must run in Node, browsers and Cloudflare Workers: its source may not reach for Node built-ins,
// Buffer, process or the DOM, and it imports qrcode's pure core only.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describePortability } from "@tsubaki/testkit/portability";

describePortability({
  srcDir: join(dirname(fileURLToPath(import.meta.url)), "../src"),
  forbidden: [
    ["Node built-ins", /from "node:|require\(/],
    ["Buffer", /\bBuffer\b/],
    ["process", /\bprocess\./],
    ["the DOM", /\b(document|window|navigator)\.|HTMLCanvasElement/],
  ],
  imports: ["@noble/hashes/hmac.js", "@noble/hashes/sha2.js", "qrcode/lib/core/qrcode.js"],
});
