import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** The path of the live connection (tRPC subscription over server-sent events). */
const SSE_PATH = "/trpc/mail.events";

/** One server-sent event the proxy passed on to the browser, as it went by. */
export interface ForwardedEvent {
  /** Which live connection (0 for the first one the browser opened) carried it. */
  connection: number;
  /** The SSE `id:` (the mail event's id), empty for events without one (tRPC's connected, ping). */
  id: string;
  /** The SSE `event:` name; empty for a data message. */
  name: string;
  data: string;
  /** When the proxy passed it on (Date.now()), to split a latency into server side and browser side. */
  at: number;
}

/** A live connection as the proxy saw it arrive. */
export interface SseRequest {
  /** The `Last-Event-ID` header the client sent (the eventsource package sends it on a reconnect). */
  lastEventId: string | undefined;
  /** False when the proxy refused it (cut). */
  forwarded: boolean;
}

export interface SseSplitProxy {
  /** The origin the browser uses (the servers' APP_URL). */
  url: string;
  port: number;
  /** Points the proxy at its two servers; requests before this are refused. */
  route(upstreams: { events: string; rest: string }): void;
  /** Requests forwarded so far to each upstream, by path (query left off). */
  forwardedPaths: { events: string[]; rest: string[] };
  sseRequests: SseRequest[];
  events: ForwardedEvent[];
  /** Drops every open live connection (both sides' sockets) and refuses new ones until `restore`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/**
 * A loopback reverse proxy in front of two server processes, for the browser: the live connection
 * (`mail.events`) goes to one server and every other request to the other, so an event reaches the
 * browser only through Redis. It can cut the live connection and refuse it for a while (a dropped
 * network), and it records the events it forwarded, so a test can tell missed from doubled.
 */
export async function startSseSplitProxy(port = 0): Promise<SseSplitProxy> {
  let upstreams: { events: URL; rest: URL } | undefined;
  let refusing = false;
  const open = new Set<Socket>();
  const forwardedPaths = { events: [] as string[], rest: [] as string[] };
  const sseRequests: SseRequest[] = [];
  const events: ForwardedEvent[] = [];

  const refuse = (req: IncomingMessage) => {
    // No answer at all: a network failure, which an EventSource retries (an HTTP error it would not).
    req.socket.destroy();
  };

  const forward = (req: IncomingMessage, res: ServerResponse, target: URL, onBody?: (chunk: Buffer) => void) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (onBody) answer.on("data", onBody);
        answer.pipe(res);
        answer.on("error", () => res.destroy());
      },
    );
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
    return upstream;
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://proxy").pathname;
    if (!upstreams) return refuse(req);
    if (path !== SSE_PATH) {
      forwardedPaths.rest.push(path);
      forward(req, res, upstreams.rest);
      return;
    }
    const lastEventId = req.headers["last-event-id"];
    const seen: SseRequest = {
      lastEventId: Array.isArray(lastEventId) ? lastEventId[0] : lastEventId,
      forwarded: false,
    };
    sseRequests.push(seen);
    if (refusing) return refuse(req);
    seen.forwarded = true;
    forwardedPaths.events.push(path);
    const connection = sseRequests.filter((request) => request.forwarded).length - 1;
    const parse = sseParser((event) => events.push({ connection, ...event, at: Date.now() }));
    const upstream = forward(req, res, upstreams.events, parse);
    open.add(req.socket);
    upstream.on("socket", (socket) => open.add(socket));
    req.socket.on("close", () => open.delete(req.socket));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: listening } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${listening}`,
    port: listening,
    route(given) {
      upstreams = { events: new URL(given.events), rest: new URL(given.rest) };
    },
    forwardedPaths,
    sseRequests,
    events,
    cut() {
      refusing = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    restore() {
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Splits a text/event-stream into events (id, event name, data), chunk by chunk. */
function sseParser(onEvent: (event: Omit<ForwardedEvent, "connection" | "at">) => void) {
  let buffer = "";
  return (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    let end = buffer.search(/\r?\n\r?\n/);
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
      const event = { id: "", name: "", data: "" };
      for (const line of block.split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon <= 0) continue;
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, "");
        if (field === "id") event.id = value;
        else if (field === "event") event.name = value;
        else if (field === "data") event.data = event.data ? `${event.data}\n${value}` : value;
      }
      if (event.data || event.name) onEvent(event);
      end = buffer.search(/\r?\n\r?\n/);
    }
  };
}
