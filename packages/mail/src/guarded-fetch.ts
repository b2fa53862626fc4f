import type { LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { Agent, fetch as undiciFetch } from "undici";
import { type AllowedPrivateHosts, type Resolver, resolveAllowedAddress } from "./address-guard.ts";

/**
 * A `fetch` for servers the user named (an OpenAI-compatible base URL): the same guard and allow
 * list as mail hosts (S24). Host names are checked inside the connection's own DNS lookup, so the
 * address checked is the address connected to; address literals (which skip the lookup) are
 * checked before the request.
 */
export function createGuardedFetch(allowed: AllowedPrivateHosts, resolve?: Resolver): typeof fetch {
  const agent = new Agent({
    connect: {
      lookup(hostname, options, callback) {
        resolveAllowedAddress(hostname, allowed, resolve).then(
          (address) => {
            const family = isIP(address);
            if ((options as { all?: boolean }).all) {
              (callback as (error: null, addresses: LookupAddress[]) => void)(null, [{ address, family }]);
            } else {
              callback(null, address, family);
            }
          },
          (error: Error) => callback(error as NodeJS.ErrnoException, "", 0),
        );
      },
    },
  });
  const guarded = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    if (isIP(host)) await resolveAllowedAddress(host, allowed, resolve);
    return undiciFetch(input as never, { ...(init as object), dispatcher: agent } as never);
  };
  return guarded as unknown as typeof fetch;
}
