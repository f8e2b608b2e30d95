import { describe, expect, it } from "vitest";
import { routeOf } from "../router/router";
import { defaultSettings, parseSettings } from "./settings";

describe("stored settings", () => {
  it("reads what was stored and falls back field by field", () => {
    expect(parseSettings('{"lang":"en","largeText":true,"highContrast":false}')).toEqual({ lang: "en", largeText: true, highContrast: false });
    expect(parseSettings('{"lang":"fr","largeText":"yes"}')).toEqual(defaultSettings);
    expect(parseSettings("not json")).toEqual(defaultSettings);
    expect(parseSettings(null)).toEqual({ lang: "ja", largeText: false, highContrast: false });
  });
});

describe("routes under a base", () => {
  it("are paths relative to the app's base, without trailing slashes", () => {
    expect(routeOf("/wallet/", "/wallet/")).toBe("/");
    expect(routeOf("/wallet", "/wallet/")).toBe("/");
    expect(routeOf("/wallet/scan", "/wallet/")).toBe("/scan");
    expect(routeOf("/wallet/scan/", "/wallet/")).toBe("/scan");
    expect(routeOf("/merchant/scan", "/wallet/")).toBe("/");
  });
});
