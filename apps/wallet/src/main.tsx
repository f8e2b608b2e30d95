// The wallet's entry: settings applied before the first paint, then the app, then the offline shell.
import "@tsubaki/ui/styles.css";
import { registerServiceWorker, startSettings } from "@tsubaki/ui";
import { render } from "preact";
import { App, router } from "./app";

startSettings();
render(<App />, document.getElementById("app")!);
registerServiceWorker(router.base);
// The web font arrives after the first paint (its @font-face list is large); text swaps into it when ready.
void import("@tsubaki/ui/font");
