// Every screen is Japanese first with English second: each app's catalog must have the same keys and the same
// {placeholders} in both languages (the types check the keys; this checks placeholders and empty text).
import { kitMessages, placeholders, type Messages } from "@tsubaki/ui";
import { describe, expect, it } from "vitest";
import { merchantMessages } from "../../merchant/src/messages";
import { walletMessages } from "../../wallet/src/messages";

const catalogs: [string, Messages<string>][] = [
  ["kit", kitMessages],
  ["wallet", walletMessages],
  ["merchant", merchantMessages],
];

describe("message catalogs", () => {
  it.each(catalogs)("%s: English matches Japanese key for key, placeholder for placeholder", (_name, messages) => {
    expect(Object.keys(messages.en).sort()).toEqual(Object.keys(messages.ja).sort());
    for (const key of Object.keys(messages.ja)) {
      expect(placeholders(messages.en[key]!), key).toEqual(placeholders(messages.ja[key]!));
      expect(messages.ja[key]!.trim(), key).not.toBe("");
      expect(messages.en[key]!.trim(), key).not.toBe("");
    }
  });
});
