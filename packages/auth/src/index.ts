// The authentication core: no tRPC, no Fastify. Each area lives in its own folder.
export {};
