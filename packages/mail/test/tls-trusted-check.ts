// Run by tls.test.ts in a child process whose NODE_EXTRA_CA_CERTS names the test certificate, as an
// operator would trust a private CA: prints testCredentials' answer for the settings in argv[2].
import { parseAllowedPrivateHosts, type ServerSettings, testCredentials } from "../src/index.ts";

const input = JSON.parse(process.argv[2] ?? "{}") as { imap: ServerSettings; smtp: ServerSettings };
const limits = { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 5_000 };
process.stdout.write(JSON.stringify(await testCredentials(input, limits)));
