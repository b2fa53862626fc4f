import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

const defaultDistDir = resolve(import.meta.dirname, "../../web/dist");
const apiPrefixes = ["/trpc", "/healthz", "/readyz", "/metrics", "/oauth", "/.well-known", "/openapi.json", "/docs"];

/** Serves the built web app, with index.html for every other GET so client-side routes load. */
export async function registerWebApp(
  app: FastifyInstance,
  options: { distDir?: string | undefined; production: boolean },
): Promise<void> {
  const distDir = options.distDir ?? defaultDistDir;
  // Development tools (the dev mailbox) do not exist in production, not even as a page.
  const hidden = options.production ? ["/dev/"] : [];
  const indexFile = join(distDir, "index.html");
  if (!existsSync(indexFile)) {
    app.log.warn({ distDir }, "web app is not built; run `pnpm build` to serve it");
    app.get("/", async (_request, reply) =>
      reply.type("text/plain").send("Tidings server is running. The web app is not built: run `pnpm build`.\n"),
    );
    // Fastify's own 404 handler logs the full URL, and emailed links carry tokens in theirs (S16).
    app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: "Not Found" }));
    return;
  }
  await app.register(fastifyStatic, { root: distDir, wildcard: false, index: ["index.html"] });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    const isPage = request.method === "GET" && ![...apiPrefixes, ...hidden].some((prefix) => path.startsWith(prefix));
    if (isPage && !/\.[a-z0-9]+$/i.test(path)) return reply.sendFile("index.html");
    return reply.code(404).send({ error: "Not Found" });
  });
}
