// Fares per class and the free transfer within the window, as an operator would configure them.
import { describe, expect, test } from "vitest";
import { checkFareTable, defaultFareTable, fareFor, type TransferReceipt } from "../src/index";
import { allowanceId, T0 } from "./helpers";

const table = defaultFareTable("notty");

describe("fares", () => {
  test("のっティ: adult ¥100, child ¥50, preschool free, disability ¥50, 60-minute transfers", () => {
    expect(table).toEqual({ operatorId: "notty", adultYen: 100, childYen: 50, preschoolYen: 0, disabilityYen: 50, transferWindowMinutes: 60 });
    expect(fareFor("adult", table)).toEqual({ fareYen: 100, baseFareYen: 100, transfer: "none" });
    expect(fareFor("child", table).fareYen).toBe(50);
    expect(fareFor("preschool", table).fareYen).toBe(0);
    expect(fareFor("disability", table).fareYen).toBe(50);
  });

  test("another operator configures its own fares", () => {
    const other = { ...table, operatorId: "kanazawa-loop", adultYen: 200, childYen: 100 };
    expect(checkFareTable(other)).toEqual({ ok: true });
    expect(fareFor("adult", other).fareYen).toBe(200);
    expect(checkFareTable({ ...table, adultYen: -1 })).toMatchObject({ ok: false, field: "adultYen" });
    expect(checkFareTable({ ...table, childYen: 50.5 })).toMatchObject({ ok: false, field: "childYen" });
    expect(checkFareTable({ ...table, operatorId: "Bad Id" })).toMatchObject({ ok: false, field: "operatorId" });
    expect(checkFareTable({ ...table, transferWindowMinutes: 241 })).toMatchObject({ ok: false, field: "transferWindowMinutes" });
  });

  describe("transfer", () => {
    const id = allowanceId();
    const receipt: TransferReceipt = { operatorId: "notty", terminalId: "bus-2", allowanceId: id, paidAt: T0, paidYen: 100 };
    const at = (now: number, over: Partial<TransferReceipt> = {}, terminalId = "bus-1") =>
      fareFor("adult", table, { transferFromReceipt: { ...receipt, ...over }, now, terminalId, allowanceId: id });

    test("free within 60 minutes of a paid ride on another bus, boundaries included", () => {
      expect(at(T0)).toEqual({ fareYen: 0, baseFareYen: 100, transfer: "applied" });
      expect(at(T0 + 3600).transfer).toBe("applied");
      expect(at(T0 + 3601)).toEqual({ fareYen: 100, baseFareYen: 100, transfer: "outside_window" });
      expect(at(T0 - 1).transfer).toBe("outside_window");
    });

    test("not on the same bus, another operator, another rider, or after a free ride", () => {
      expect(at(T0 + 60, {}, "bus-2").transfer).toBe("same_terminal");
      expect(at(T0 + 60, { operatorId: "other" }).transfer).toBe("other_operator");
      expect(at(T0 + 60, { allowanceId: allowanceId() }).transfer).toBe("other_allowance");
      expect(at(T0 + 60, { paidYen: 0 }).transfer).toBe("not_paid");
    });
  });
});
