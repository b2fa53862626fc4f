import { type Browser, chromium, type Page } from "playwright-core";
import { CHROMIUM_PATH } from "./services.ts";

/** Debian's Chromium, headless, with the flags this sandboxed machine needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Starts watching the page for a list item (`li` under `listSelector`) whose text contains `text`,
 * and answers a function that waits for it and resolves with the wall-clock time (Date.now(), the
 * same clock as the test's) at which the page first showed it. A MutationObserver in the page
 * records the moment itself, so the figure does not include the test's polling.
 */
export async function watchForListItem(
  page: Page,
  listSelector: string,
  text: string,
): Promise<(timeoutMs: number) => Promise<number>> {
  const key = JSON.stringify(`${listSelector}\u0000${text}`);
  // Page code as a string: this package is typed for Node, without the DOM library.
  await page.evaluate(`(() => {
    const registry = (window.__listItemSeenAt ??= {});
    const shown = () => Array.from(document.querySelectorAll(${JSON.stringify(`${listSelector} li`)}))
      .some((item) => (item.textContent ?? "").includes(${JSON.stringify(text)}));
    registry[${key}] = new Promise((resolve) => {
      if (shown()) return resolve(Date.now());
      const observer = new MutationObserver(() => {
        if (!shown()) return;
        observer.disconnect();
        resolve(Date.now());
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    });
  })()`);
  return (timeoutMs) =>
    page.evaluate(`Promise.race([
      window.__listItemSeenAt[${key}],
      new Promise((_, reject) => setTimeout(
        () => reject(new Error(${JSON.stringify(`"${text}" not shown within `)} + ${timeoutMs} + " ms")),
        ${timeoutMs},
      )),
    ])`) as Promise<number>;
}
