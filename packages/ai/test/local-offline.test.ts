import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { connect } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createLocalProvider,
  emptyLocalModelState,
  learnFrom,
  lessonFromBehaviour,
  predictor,
  unmetered,
} from "../src/index.ts";
import { email, me } from "./fixtures.ts";

// Every TCP connection (net, tls, http) is published on this channel; Node's fetch is not, so a
// tripwire stands in for it.
const netChannel = "net.client.socket";
let connections: string[] = [];
const record = () => {
  connections.push("net");
};
beforeEach(() => {
  connections = [];
  subscribe(netChannel, record);
  vi.stubGlobal("fetch", async (input: unknown) => {
    connections.push(`fetch ${String(input)}`);
    throw new Error("no network in this test");
  });
});
afterEach(() => {
  unsubscribe(netChannel, record);
  vi.unstubAllGlobals();
});

describe("local provider offline (S31)", () => {
  it("analyses, learns and summarises without opening a single connection", async () => {
    let state = emptyLocalModelState;
    for (let i = 0; i < 10; i++) {
      state = learnFrom(state, email({ id: `a${i}`, subject: `Report ${i}` }), me, lessonFromBehaviour("starred"));
      state = learnFrom(state, email({ id: `b${i}`, subject: `Offer ${i}` }), me, lessonFromBehaviour("deletedUnread"));
    }
    const provider = createLocalProvider(predictor(state));
    const html =
      '<p>See <a href="https://tracker.example/p.png">this</a></p><img src="https://tracker.example/pixel.gif">';
    await provider.analyze(email({ text: "", html }), { meter: unmetered, recipient: me });
    await provider.summarizeThread([email(), email({ id: "m2" })], { meter: unmetered, recipient: me });
    expect(connections).toEqual([]);

    // The probes work: a connection attempt to a closed loopback port and a fetch are both seen.
    await new Promise((resolve) => connect(9, "127.0.0.1").on("error", resolve));
    await fetch("http://127.0.0.1:9/").catch(() => {});
    expect(connections).toEqual(["net", "fetch http://127.0.0.1:9/"]);
  });
});
