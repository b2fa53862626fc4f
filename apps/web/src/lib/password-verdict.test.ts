import { checkPasswordPolicy } from "@tidings/auth";
import { describe, expect, it } from "vitest";
import { estimateStrength } from "./password-strength.ts";
import { judgeNewPassword } from "./password-verdict.ts";

const owner = { email: "margaret.hamilton@example.test", displayName: "Margaret Hamilton" };

// From instantly guessed to strong, with the ones between: long but common, long but personal,
// and ones zxcvbn rates 2 ("fair" in its own words) that the server refuses.
const passwords = [
  "password",
  "password1234",
  "qwertyuiop123",
  "Summer2024!!",
  "correcthorse12",
  "qwe123asd456",
  "jessica19851",
  "ilovemydog2020",
  "Margaret1969!!",
  "hamilton rocks 99",
  "margaret.hamilton@example.test",
  "trombone-kettle",
  "Bluebird4Ever!",
  "quiet lanterns drift over copper rivers",
  "Ｆｕｌｌｗｉｄｔｈ ｗｏｒｄｓ ａｒｅ ｓｔｉｌｌ ｗｏｒｄｓ",
  "short",
];

describe("the strength meter agrees with the server's password policy", () => {
  it.each(passwords)("%s", async (password) => {
    const estimate = await estimateStrength(password, owner);
    const verdict = judgeNewPassword(password, owner, estimate);
    const server = await checkPasswordPolicy(password, owner);
    expect(verdict.accepted).toBe(server.ok);
    expect(["Strong", "Very strong"].includes(verdict.label)).toBe(server.ok);
  });

  it("covers a password zxcvbn calls fair, which the server refuses", async () => {
    const scores = await Promise.all(passwords.map(async (p) => (await estimateStrength(p, owner)).score));
    expect(scores).toContain(2);
  });
});
