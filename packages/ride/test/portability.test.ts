// packages/ride runs in the wallet and the fare terminal (browsers), the API (Node and Workers): its source may
// not reach for Node built-ins, Buffer, process, the DOM or globals like indexedDB (the store is handed its
// IndexedDB), and it imports only @noble/curves and @noble/hashes from outside.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describePortability } from "@tsubaki/testkit/portability";

describePortability({
  srcDir: join(dirname(fileURLToPath(import.meta.url)), "../src"),
  forbidden: [
    ["Node built-ins", /from "node:|require\(/],
    ["Buffer", /\bBuffer\b/],
    ["process", /\bprocess\./],
    ["the DOM", /\b(document|window|navigator|localStorage)\./],
    ["global IndexedDB", /(?<![.\w])(indexedDB|IDBKeyRange)\b(?!:)/],
    ["timers (the app owns the loop)", /\b(setTimeout|setInterval)\(/],
    ["Date.now (time is passed in)", /\bDate\.now\(/],
    ["Math.random (randomness is passed in)", /\bMath\.random\(/],
  ],
  ignoreComments: true,
  imports: ["@noble/curves/ed25519.js", "@noble/hashes/sha2.js", "@noble/hashes/utils.js"],
});
