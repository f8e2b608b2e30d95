// Types for the one file of `qrcode` we import: its pure encoder core, which (unlike the package entry) pulls
// in no canvas, fs or PNG code, so it bundles the same for Node, browsers and Cloudflare Workers.
declare module "qrcode/lib/core/qrcode.js" {
  export interface QrCoreSymbol {
    readonly modules: { readonly size: number; readonly data: Uint8Array };
    readonly version: number;
    readonly segments: ReadonlyArray<{ readonly mode: { readonly id: string } }>;
  }
  export function create(
    data: string,
    options?: { errorCorrectionLevel?: "L" | "M" | "Q" | "H"; version?: number; maskPattern?: number },
  ): QrCoreSymbol;
}
