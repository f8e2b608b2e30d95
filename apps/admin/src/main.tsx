// The console's entry: settings applied before the first paint, then the app.
import "@tsubaki/ui/styles.css";
import "./console.css";
import { registerServiceWorker, startSettings } from "@tsubaki/ui";
import { render } from "preact";
import { App, router } from "./app";

startSettings();
render(<App />, document.getElementById("app")!);
registerServiceWorker(router.base);
void import("@tsubaki/ui/font");
