import { tidingsLinks } from "@tidings/client";

/**
 * Every request carries the CSRF proof the server asks of cookie-authenticated mutations (S17):
 * a page on another site cannot add a custom header to a request without a CORS preflight.
 */
const fetchWithCsrfProof: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set("x-tidings-csrf", "1");
  return fetch(input, { ...init, headers, credentials: "same-origin" });
};

export function apiLinks(getAccessToken?: () => Promise<string | undefined>) {
  return tidingsLinks({
    url: "/trpc",
    fetch: fetchWithCsrfProof,
    ...(getAccessToken ? { getAccessToken } : {}),
  });
}
