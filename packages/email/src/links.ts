/** Builds absolute links into the web app, so every link in an email carries APP_URL. */
export interface Links {
  to(path: `/${string}`): string;
  withToken(path: `/${string}`, token: string): string;
}

export function linksFor(appUrl: string): Links {
  const base = appBase(appUrl);
  return {
    to: (path) => `${base}${path}`,
    withToken: (path, token) => `${base}${path}?token=${encodeURIComponent(token)}`,
  };
}

/** APP_URL without a trailing slash, so it may or may not end in one and may carry a base path. */
function appBase(appUrl: string): string {
  let url: URL;
  try {
    url = new URL(appUrl);
  } catch {
    throw new Error(`appUrl must be an absolute URL, got ${JSON.stringify(appUrl)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`appUrl must be an http(s) URL, got ${JSON.stringify(appUrl)}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new Error(`appUrl must not carry a query, fragment or credentials, got ${JSON.stringify(appUrl)}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
