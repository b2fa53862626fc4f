// A software WebAuthn authenticator for tests: it makes real ES256 credentials and signs real
// attestations ("none") and assertions with node:crypto, so the server's verification runs
// unchanged. Each answer can be bent (origin, RP ID, flags, counter) to see it refused.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";

/** The smallest CBOR encoder that WebAuthn structures need: ints, byte and text strings, maps. */
type Cbor = number | string | Buffer | Map<Cbor, Cbor>;

function cborHead(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 0x100) return Buffer.from([(major << 5) | 24, value]);
  if (value < 0x10000) {
    const head = Buffer.alloc(3);
    head[0] = (major << 5) | 25;
    head.writeUInt16BE(value, 1);
    return head;
  }
  const head = Buffer.alloc(5);
  head[0] = (major << 5) | 26;
  head.writeUInt32BE(value, 1);
  return head;
}

export function encodeCbor(value: Cbor): Buffer {
  if (typeof value === "number") return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (Buffer.isBuffer(value)) return Buffer.concat([cborHead(2, value.length), value]);
  const parts = [cborHead(5, value.size)];
  for (const [key, item] of value) parts.push(encodeCbor(key), encodeCbor(item));
  return Buffer.concat(parts);
}

const b64url = (bytes: Buffer) => bytes.toString("base64url");
const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest();

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

export interface SoftwareCredential {
  id: Buffer;
  privateKey: KeyObject;
  publicKeyCose: Buffer;
  rpId: string;
  userHandle: Buffer;
  counter: number;
}

export interface AnswerOptions {
  /** The page's origin the browser would sign into the client data. */
  origin: string;
  /** The RP ID hashed into the authenticator data; by default the one the options name. */
  rpId?: string;
  userVerified?: boolean;
  /** The signature counter to report; by default one more than last time. */
  counter?: number;
  backedUp?: boolean;
}

export interface RegistrationOptionsLike {
  challenge: string;
  rp: { id?: string | undefined };
  user: { id: string };
}

export interface AuthenticationOptionsLike {
  challenge: string;
  rpId?: string | undefined;
  allowCredentials?: { id: string }[] | undefined;
}

function authenticatorData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter);
  return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
}

const flagsOf = (answer: AnswerOptions) =>
  FLAG_UP | (answer.userVerified === false ? 0 : FLAG_UV) | (answer.backedUp ? FLAG_BE | FLAG_BS : 0);

/** One software authenticator holding any number of discoverable credentials. */
export function createSoftwareAuthenticator() {
  const credentials: SoftwareCredential[] = [];

  return {
    credentials,

    /** Answers registration options as `navigator.credentials.create` (via @simplewebauthn/browser) would. */
    register(options: RegistrationOptionsLike, answer: AnswerOptions) {
      const rpId = answer.rpId ?? options.rp.id ?? new URL(answer.origin).hostname;
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const jwk = publicKey.export({ format: "jwk" });
      const publicKeyCose = encodeCbor(
        new Map<Cbor, Cbor>([
          [1, 2], // kty: EC2
          [3, -7], // alg: ES256
          [-1, 1], // crv: P-256
          [-2, Buffer.from(jwk.x ?? "", "base64url")],
          [-3, Buffer.from(jwk.y ?? "", "base64url")],
        ]),
      );
      const id = randomBytes(16);
      const counter = answer.counter ?? 0;
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(id.length);
      const attested = Buffer.concat([Buffer.alloc(16), idLength, id, publicKeyCose]);
      const authData = authenticatorData(rpId, flagsOf(answer) | FLAG_AT, counter, attested);
      const attestationObject = encodeCbor(
        new Map<Cbor, Cbor>([
          ["fmt", "none"],
          ["attStmt", new Map()],
          ["authData", authData],
        ]),
      );
      const clientDataJSON = JSON.stringify({
        type: "webauthn.create",
        challenge: options.challenge,
        origin: answer.origin,
        crossOrigin: false,
      });
      const credential: SoftwareCredential = {
        id,
        privateKey,
        publicKeyCose,
        rpId,
        userHandle: Buffer.from(options.user.id, "base64url"),
        counter,
      };
      credentials.push(credential);
      return {
        credential,
        response: {
          id: b64url(id),
          rawId: b64url(id),
          type: "public-key" as const,
          clientExtensionResults: {},
          response: {
            clientDataJSON: b64url(Buffer.from(clientDataJSON)),
            attestationObject: b64url(attestationObject),
            transports: ["internal"],
          },
        },
      };
    },

    /**
     * Answers authentication options as `navigator.credentials.get` would, with the given
     * credential or (discoverable) the first allowed one, else the newest it holds.
     */
    assert(options: AuthenticationOptionsLike, answer: AnswerOptions, credential?: SoftwareCredential) {
      const allowed = options.allowCredentials?.map((entry) => entry.id) ?? [];
      const chosen =
        credential ??
        (allowed.length > 0
          ? credentials.find((entry) => allowed.includes(b64url(entry.id)))
          : credentials[credentials.length - 1]);
      if (!chosen) throw new Error("the software authenticator holds no credential for these options");
      chosen.counter = answer.counter ?? chosen.counter + 1;
      const rpId = answer.rpId ?? options.rpId ?? chosen.rpId;
      const authData = authenticatorData(rpId, flagsOf(answer), chosen.counter);
      const clientDataJSON = Buffer.from(
        JSON.stringify({
          type: "webauthn.get",
          challenge: options.challenge,
          origin: answer.origin,
          crossOrigin: false,
        }),
      );
      const signature = sign("sha256", Buffer.concat([authData, sha256(clientDataJSON)]), chosen.privateKey);
      return {
        id: b64url(chosen.id),
        rawId: b64url(chosen.id),
        type: "public-key" as const,
        clientExtensionResults: {},
        response: {
          clientDataJSON: b64url(clientDataJSON),
          authenticatorData: b64url(authData),
          signature: b64url(signature),
          userHandle: b64url(chosen.userHandle),
        },
      };
    },
  };
}
