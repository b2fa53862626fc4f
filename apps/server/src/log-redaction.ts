import type { FastifyRequest } from "fastify";

export const redactedLogPaths = [
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
  "*.password",
  "*.token",
  "*.refreshToken",
];

// Query parameters that carry secrets: emailed links (?token=), and OAuth-style callers.
const secretQueryParameters = /([?&](?:token|refresh_token|access_token|password|code)=)[^&#]*/gi;

// Paths that carry a secret: the data export's download link.
const secretPathSegments = /^(\/exports\/)[^?#]*/;

/** S16: a URL as it may appear in logs, with secret query values (and secret path parts) blanked. */
export function redactUrl(url: string): string {
  return url.replace(secretPathSegments, "$1[redacted]").replace(secretQueryParameters, "$1[redacted]");
}

/** What a request log line says about the request; the URL never carries a token into the log. */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
