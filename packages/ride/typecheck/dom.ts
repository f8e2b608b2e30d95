// Compile-time check (tsconfig.dom.json, lib DOM): what a browser hands over — `indexedDB` and `crypto.subtle`
// with a non-extractable Ed25519 CryptoKey — fits the structural types src uses, so the terminal and the
// wallet can pass them straight in. Never run; `tsc` is the test.
import { createTapStore, webCryptoRiderSigner } from "../src/index";

declare const idb: IDBFactory;
declare const subtle: SubtleCrypto;
declare const deviceKey: CryptoKey;

export const storePromise = createTapStore(idb);
export const signer = webCryptoRiderSigner(subtle, deviceKey);
