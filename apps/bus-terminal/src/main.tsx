// The terminal's entry: settings before the first paint, the tap store opened, then the app and the offline shell.
import "@tsubaki/ui/styles.css";
import { registerServiceWorker, startSettings } from "@tsubaki/ui";
import { render } from "preact";
import { App, router, terminal } from "./app";
import "./terminal.css";

startSettings();
void terminal.start().then(() => render(<App />, document.getElementById("app")!));
registerServiceWorker(router.base);
void import("@tsubaki/ui/font");
