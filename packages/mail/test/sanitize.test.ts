import { describe, expect, it } from "vitest";
import { sanitizeMailHtml, showStoredMailHtml } from "../src/index.ts";

const hostile = `
<html><head><meta http-equiv="refresh" content="0;url=https://evil.test/"><style>body{background:url(https://track.test/css.png)}</style>
<script>alert('script body')</script></head>
<body onload="alert('onload')">
<p onclick="alert('click')" style="color: red; background-image: url(https://track.test/bg.png)">Hello <b>there</b></p>
<a href="javascript:alert('link')">bad link</a>
<a href="https://example.test/ok">good link</a>
<img src="https://track.test/pixel.gif?u=1" width="1" height="1">
<img src="//track.test/relative.gif">
<img src="cid:logo@mail" alt="logo">
<img src="data:image/png;base64,iVBORw0KGgo=" alt="inline">
<img src="data:text/html;base64,PHNjcmlwdD4=" alt="not an image">
<iframe src="https://evil.test/frame"></iframe>
<form action="https://evil.test/post"><input name="password"></form>
<object data="https://evil.test/x.swf"></object>
<svg><script>alert('svg')</script></svg>
<div style="width: expression(alert('css'))">css</div>
</body></html>`;

describe("HTML mail sanitizing (S26)", () => {
  it("removes every kind of active content", () => {
    const { html } = sanitizeMailHtml(hostile);
    for (const banned of [
      "<script",
      "alert(",
      "onload",
      "onclick",
      "javascript:",
      "<iframe",
      "<form",
      "<input",
      "<object",
      "<meta",
      "<style",
      "expression",
      "data:text/html",
      "evil.test",
    ]) {
      expect(html, banned).not.toContain(banned);
    }
    expect(html).toContain("<b>there</b>");
    expect(html).toContain('style="color:red"');
    expect(html).toContain('href="https://example.test/ok"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
    expect(html).toContain('src="cid:logo@mail"');
    expect(html).toContain('src="data:image/png;base64,iVBORw0KGgo="');
  });

  it("blocks remote images unless asked, and says there were some", () => {
    const blocked = sanitizeMailHtml(hostile);
    expect(blocked.hasRemoteContent).toBe(true);
    expect(blocked.html).not.toContain("track.test");

    const loaded = sanitizeMailHtml(hostile, { loadRemote: true });
    expect(loaded.html).toContain('src="https://track.test/pixel.gif?u=1"');
    // Remote CSS stays out even then: only images are loaded on request.
    expect(loaded.html).not.toContain("bg.png");
    expect(loaded.html).not.toContain("css.png");
  });

  it("reports no remote content for a self-contained mail", () => {
    expect(sanitizeMailHtml('<p>Hi</p><img src="cid:x@y">')).toEqual({
      html: '<p>Hi</p><img src="cid:x@y" />',
      hasRemoteContent: false,
    });
  });

  it("keeps blocked image addresses inert in stored HTML, and shows them only when remote content is allowed", () => {
    const stored = sanitizeMailHtml(hostile, { keepBlockedSources: true });
    expect(stored.hasRemoteContent).toBe(true);
    // Nothing in the stored HTML loads: the address sits in a data attribute, never in src.
    expect(stored.html).toContain('data-remote-src="https://track.test/pixel.gif?u=1"');
    expect(stored.html).not.toMatch(/\ssrc="(?:https:)?\/\//);

    const shown = showStoredMailHtml(stored.html);
    expect(shown).not.toContain("track.test");
    expect(shown).toContain('src="cid:logo@mail"');

    const allowed = showStoredMailHtml(stored.html, { loadRemote: true });
    expect(allowed).toContain('src="https://track.test/pixel.gif?u=1"');
    expect(allowed).not.toContain("data-remote-src");
    // Still no protocol-relative address, remote CSS or active content.
    expect(allowed).not.toContain("relative.gif");
    expect(allowed).not.toContain("bg.png");
    expect(allowed).not.toContain("evil.test");
  });

  it("does not turn a kept address into a source for a data: or javascript: URL", () => {
    const allowed = showStoredMailHtml(
      '<img data-remote-src="javascript:alert(1)"><img data-remote-src="data:text/html;base64,PHNjcmlwdD4=">',
      { loadRemote: true },
    );
    expect(allowed).toBe("");
  });
});
