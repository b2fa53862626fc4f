// The bench's peer must keep starting and answering as Better Auth does, or `pnpm bench` compares
// with nothing: its fixture, on this file's own database, over loopback.
import { createScratchDatabase, type ScratchDatabase } from "@tidings/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BENCH_EMAIL } from "../fixtures/auth-server.ts";
import { type PeerServer, peerSignIn, startBetterAuth } from "../fixtures/better-auth-server.ts";

let database: ScratchDatabase;
let peer: PeerServer;
beforeAll(async () => {
  database = await createScratchDatabase();
  if (!database.url) throw new Error("the Better Auth peer needs Postgres");
  peer = await startBetterAuth({ databaseUrl: database.url }); // signs the bench user up
});
afterAll(async () => {
  await peer?.close();
  await database?.drop();
});

it("signs the bench user in and answers get-session for its cookie", async () => {
  const cookie = await peerSignIn(peer.server.url);
  const response = await fetch(`${peer.server.url}/api/auth/get-session`, { headers: { cookie } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { user?: { email?: string } } | null;
  expect(body?.user?.email).toBe(BENCH_EMAIL);
});

it("refuses a wrong password and answers no session without a cookie", async () => {
  await expect(peerSignIn(peer.server.url, "not the password at all")).rejects.toThrow(/peer sign-in failed \(401\)/);
  const response = await fetch(`${peer.server.url}/api/auth/get-session`);
  expect(await response.json()).toBeNull();
});
