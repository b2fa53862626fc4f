import { splitMboxrd } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { mboxFromLine, mboxrdEntry } from "../src/index.ts";

// The mboxrd writer of the account export; the HTTP test reads a whole export back from Dovecot.

describe("mboxrd entries", () => {
  const date = new Date("2026-12-03T09:05:07Z");

  it("start with a From line naming the sender and the date in asctime form (UTC)", () => {
    expect(mboxFromLine("bob@example.test", date)).toBe("From bob@example.test Thu Dec  3 09:05:07 2026\n");
    // No address, or one with spaces or control characters, still gives one word.
    expect(mboxFromLine(undefined, date)).toBe("From MAILER-DAEMON Thu Dec  3 09:05:07 2026\n");
    expect(mboxFromLine("odd name\r\n@x.test", date)).toBe("From oddname@x.test Thu Dec  3 09:05:07 2026\n");
    expect(mboxFromLine("a@b.test", new Date("not a date"))).toBe("From a@b.test Thu Jan  1 00:00:00 1970\n");
  });

  it("quote every >*From line by one more > and come back byte for byte", () => {
    const messages = [
      Buffer.from("Subject: a\r\n\r\nFrom here\r\n>From there\r\n>>From far\r\n From not at the start\r\n"),
      Buffer.concat([Buffer.from("Subject: b\r\n\r\n"), Buffer.from([0xff, 0x00, 0x80, 0x0a])]),
      Buffer.from("Subject: c\n\nFrom the last one\n"),
    ];
    const mbox = Buffer.concat(messages.map((message) => mboxrdEntry(message, "x@y.test", date)));
    const text = mbox.toString("latin1");
    expect(text).toContain(
      "\r\n\r\n>From here\r\n>>From there\r\n>>>From far\r\n From not at the start\r\n\nFrom x@y.test",
    );
    expect(text.match(/^From /gm)).toHaveLength(3);
    expect(splitMboxrd(mbox)).toEqual(messages);
  });

  it("end a message without a final line end with one, then the blank line", () => {
    expect(mboxrdEntry(Buffer.from("Subject: d\r\n\r\nno end"), "x@y.test", date).toString("latin1")).toBe(
      "From x@y.test Thu Dec  3 09:05:07 2026\nSubject: d\r\n\r\nno end\n\n",
    );
  });
});
