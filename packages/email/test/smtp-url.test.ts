import { describe, expect, it } from "vitest";
import { smtpOptionsFromUrl } from "../src/transports/smtp.ts";

describe("SMTP_URL parsing", () => {
  it("uses implicit TLS on 465 for smtps and STARTTLS on 587 for smtp", () => {
    expect(smtpOptionsFromUrl("smtps://mx.example.com")).toMatchObject({
      host: "mx.example.com",
      port: 465,
      secure: true,
    });
    expect(smtpOptionsFromUrl("smtp://mx.example.com")).toMatchObject({ port: 587, secure: false });
    expect(smtpOptionsFromUrl("smtp://127.0.0.1:2525")).toMatchObject({ host: "127.0.0.1", port: 2525 });
  });

  it("decodes credentials and reads the documented query options", () => {
    const options = smtpOptionsFromUrl(
      "smtp://user%40example.com:p%40ss%3Aword@mx.example.com:25?requireTLS=true&tls.rejectUnauthorized=false&name=app.example.com",
    );
    expect(options).toMatchObject({
      auth: { user: "user@example.com", pass: "p@ss:word" },
      requireTLS: true,
      ignoreTLS: false,
      name: "app.example.com",
      tls: { rejectUnauthorized: false },
    });
    expect(smtpOptionsFromUrl("smtp://mx:25").tls.rejectUnauthorized).toBe(true);
    expect(smtpOptionsFromUrl("smtp://mx:25")).not.toHaveProperty("auth");
  });
});
