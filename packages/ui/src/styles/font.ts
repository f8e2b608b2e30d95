// The Japanese web font: BIZ UDPGothic (Morisawa's universal-design gothic, made for legibility, OFL), self-hosted
// from @fontsource so no screen depends on a font CDN or on the device having Japanese fonts. Its CSS splits the
// font by unicode-range, so a page downloads only the pieces its text uses, with font-display: swap. The
// fontFiles() Vite plugin keeps only the woff2 files. Imported from JS (not CSS @import) so that plugin sees it.
import "@fontsource/biz-udpgothic/400.css";
import "@fontsource/biz-udpgothic/700.css";
