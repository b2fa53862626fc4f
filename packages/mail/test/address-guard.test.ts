import { describe, expect, it } from "vitest";
import {
  isAddressAllowed,
  MailError,
  noPrivateHosts,
  parseAllowedPrivateHosts,
  refusedRange,
  resolveAllowedAddress,
} from "../src/index.ts";

describe("address guard (S24)", () => {
  it.each([
    ["10.0.0.1", "private"],
    ["172.16.5.4", "private"],
    ["192.168.1.1", "private"],
    ["127.0.0.1", "loopback"],
    ["127.0.0.2", "loopback"],
    ["169.254.169.254", "linkLocal"],
    ["100.64.0.1", "carrierGradeNat"],
    ["224.0.0.1", "multicast"],
    ["0.0.0.0", "unspecified"],
    ["255.255.255.255", "broadcast"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "linkLocal"],
    ["fd00:ec2::254", "uniqueLocal"],
    ["fd00::1", "uniqueLocal"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.2", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:169.254.169.254", "linkLocal"],
  ])("refuses %s (%s)", (address, range) => {
    expect(refusedRange(address)).toBe(range);
    expect(isAddressAllowed(address, noPrivateHosts)).toBe(false);
  });

  it.each(["93.184.215.14", "2606:4700:4700::1111", "::ffff:8.8.8.8"])("allows the public address %s", (address) => {
    expect(refusedRange(address)).toBeUndefined();
    expect(isAddressAllowed(address, noPrivateHosts)).toBe(true);
  });

  it("opens only the named exceptions", () => {
    const allowed = parseAllowedPrivateHosts(["127.0.0.1", "10.1.0.0/16", "bridge.internal", "::ffff:192.168.7.7"]);
    expect(isAddressAllowed("127.0.0.1", allowed)).toBe(true);
    expect(isAddressAllowed("::ffff:127.0.0.1", allowed)).toBe(true);
    expect(isAddressAllowed("127.0.0.2", allowed)).toBe(false);
    expect(isAddressAllowed("::1", allowed)).toBe(false);
    expect(isAddressAllowed("10.1.200.3", allowed)).toBe(true);
    expect(isAddressAllowed("10.2.0.1", allowed)).toBe(false);
    expect(isAddressAllowed("192.168.7.7", allowed)).toBe(true);
    expect(isAddressAllowed("169.254.169.254", allowed)).toBe(false);
    expect(isAddressAllowed("10.9.9.9", allowed, "bridge.internal")).toBe(true);
    expect(isAddressAllowed("10.9.9.9", allowed, "other.internal")).toBe(false);
  });

  it("names a bad MAIL_ALLOWED_PRIVATE_HOSTS entry", () => {
    expect(() => parseAllowedPrivateHosts(["10.0.0.0/99"])).toThrow(/MAIL_ALLOWED_PRIVATE_HOSTS: "10.0.0.0\/99"/);
  });

  it("checks every address a name resolves to, and answers the one to connect to", async () => {
    const allowed = parseAllowedPrivateHosts(["127.0.0.1"]);
    const resolver = (answers: string[]) => async () => answers;
    await expect(resolveAllowedAddress("mail.example.test", allowed, resolver(["127.0.0.1"]))).resolves.toBe(
      "127.0.0.1",
    );
    await expect(resolveAllowedAddress("mail.example.test", noPrivateHosts, resolver(["93.184.215.14"]))).resolves.toBe(
      "93.184.215.14",
    );
    // A name answering one public and one private address would let a later connection pick either.
    await expect(
      resolveAllowedAddress("mail.example.test", noPrivateHosts, resolver(["93.184.215.14", "169.254.169.254"])),
    ).rejects.toMatchObject({ code: "HOST_NOT_ALLOWED", reason: "linkLocal" });
  });

  it.each(["127.1", "0x7f.0.0.1", "2130706433", "0x7f000001", "a..b", "-bad.example", ""])(
    "refuses the numeric or malformed host %j before resolving it",
    async (host) => {
      let asked = false;
      const error = await resolveAllowedAddress(host, parseAllowedPrivateHosts(["127.0.0.1"]), async () => {
        asked = true;
        return ["127.0.0.1"];
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MailError);
      expect(error).toMatchObject({ code: "HOST_NOT_ALLOWED", reason: "invalid-host" });
      expect(asked).toBe(false);
    },
  );

  it("accepts a bracketed IPv6 literal and judges it", async () => {
    await expect(resolveAllowedAddress("[::1]", parseAllowedPrivateHosts(["127.0.0.1"]))).rejects.toMatchObject({
      code: "HOST_NOT_ALLOWED",
      reason: "loopback",
    });
    await expect(resolveAllowedAddress("[::1]", parseAllowedPrivateHosts(["::1"]))).resolves.toBe("::1");
  });

  it.each(["10.0.0.1", "169.254.169.254", "fd00::1", "100.64.0.1", "224.0.0.1", "[fd00::1]", "::ffff:169.254.169.254"])(
    "keeps %s refused when only 127.0.0.1 is opened (the test and Bridge setting)",
    async (host) => {
      await expect(resolveAllowedAddress(host, parseAllowedPrivateHosts(["127.0.0.1"]))).rejects.toMatchObject({
        code: "HOST_NOT_ALLOWED",
      });
    },
  );
});
