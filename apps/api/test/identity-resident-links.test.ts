// A resident paying or reading their own wallet is let in by the link from their user to their resident record.
// That link never changes once made, so the registry remembers it instead of reading it on every request; a user
// with no resident yet is asked again next time (they may be linked meanwhile).
import { describe, expect, it } from "vitest";
import { ResidentLinks, residentLinkTtlMs } from "../src/routes/registry";

function directory(links: Record<string, string>) {
  const reads: string[] = [];
  return {
    reads,
    identity: {
      findResidentByUser: async (userId: string) => {
        reads.push(userId);
        const id = links[userId];
        return id === undefined ? null : ({ id } as never);
      },
    },
  };
}

describe("remembered user → resident links", () => {
  it("reads a link once, then answers it from memory until its time is up", async () => {
    const d = directory({ u_1: "r_1" });
    let nowMs = 0;
    const links = new ResidentLinks(d.identity, () => nowMs);
    expect(await links.residentOf("u_1")).toBe("r_1");
    expect(await links.residentOf("u_1")).toBe("r_1");
    expect(d.reads).toEqual(["u_1"]);
    nowMs = residentLinkTtlMs;
    expect(await links.residentOf("u_1")).toBe("r_1");
    expect(d.reads).toEqual(["u_1", "u_1"]);
  });

  it("does not remember that a user has no resident", async () => {
    const links: Record<string, string> = {};
    const d = directory(links);
    const remembered = new ResidentLinks(d.identity);
    expect(await remembered.residentOf("u_2")).toBeNull();
    links.u_2 = "r_2";
    expect(await remembered.residentOf("u_2")).toBe("r_2");
    expect(d.reads).toEqual(["u_2", "u_2"]);
  });
});
