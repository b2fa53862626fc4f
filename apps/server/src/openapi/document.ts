import { appCodes, type ProcedureInfo, procedureList } from "@tidings/api";
import { z } from "zod";

/**
 * The OpenAPI 3.1 description of the HTTP surface: the plain routes, and every tRPC query and
 * mutation in the wire format of API.md (superjson envelope), with input schemas generated from
 * the procedures' own zod schemas. Built once from @tidings/api's procedure catalogue, which a test
 * there checks against the router.
 */

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

const tagDescriptions: Record<string, string> = {
  http: "Plain HTTP routes: health, keys, the OAuth 2 token endpoint, attachment upload and download.",
  auth: "Sign-up, sign-in, tokens and passwords (tRPC procedures, raw HTTP wire format).",
  session: "The caller's sessions.",
  account: "The caller's account.",
  admin: "Administration (role admin).",
  health: "tRPC health check.",
};

const user: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    email: { type: "string", format: "email" },
    displayName: { type: ["string", "null"] },
    emailVerified: { type: "boolean" },
    role: { type: "string", enum: ["user", "admin"] },
    createdAt: { type: "string", format: "date-time" },
  },
  required: ["id", "email", "displayName", "emailVerified", "role", "createdAt"],
};

const session: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    createdAt: { type: "string", format: "date-time" },
    lastUsedAt: { type: "string", format: "date-time" },
    expiresAt: { type: "string", format: "date-time" },
    ip: { type: ["string", "null"] },
    userAgent: { type: ["string", "null"] },
    current: { type: "boolean" },
  },
};

const authResult: JsonSchema = {
  type: "object",
  properties: {
    accessToken: { type: "string", description: "EdDSA-signed JWT; send as `Authorization: Bearer <token>`." },
    accessTokenExpiresAt: { type: "string", format: "date-time" },
    refreshToken: {
      type: "string",
      description: 'Only with `refreshTokenTransport: "body"`; else an HttpOnly cookie.',
    },
    user: { $ref: "#/components/schemas/User" },
    session: { $ref: "#/components/schemas/Session" },
  },
  required: ["accessToken", "accessTokenExpiresAt", "user", "session"],
};

/** What the contract says each procedure answers, where it is worth spelling out. */
const outputs: Record<string, JsonSchema> = {
  "auth.register": { type: "object", properties: { status: { const: "verification_sent" } } },
  "auth.verifyEmail": { $ref: "#/components/schemas/AuthResult" },
  "auth.login": {
    oneOf: [
      { $ref: "#/components/schemas/AuthResult" },
      {
        type: "object",
        description: "Two-factor is on: finish with auth.verifyMfa within 5 minutes",
        properties: {
          mfaRequired: { const: true },
          mfaToken: { type: "string" },
          methods: { type: "array", items: { enum: ["totp", "recovery", "passkey"] } },
        },
        required: ["mfaRequired", "mfaToken", "methods"],
      },
    ],
  },
  "auth.verifyMfa": { $ref: "#/components/schemas/AuthResult" },
  "auth.acceptInvitation": { $ref: "#/components/schemas/AuthResult" },
  "auth.refresh": { $ref: "#/components/schemas/AuthResult" },
  "auth.me": { $ref: "#/components/schemas/User" },
  "session.list": { type: "array", items: { $ref: "#/components/schemas/Session" } },
};

const trpcError: JsonSchema = {
  type: "object",
  description: "A tRPC error in the superjson envelope; `data.appCode` is what a client acts on.",
  properties: {
    error: {
      type: "object",
      properties: {
        json: {
          type: "object",
          properties: {
            message: { type: "string" },
            code: { type: "integer", description: "JSON-RPC error number" },
            data: {
              type: "object",
              properties: {
                code: { type: "string", description: "tRPC error code, e.g. UNAUTHORIZED" },
                httpStatus: { type: "integer" },
                path: { type: "string" },
                appCode: { type: "string", enum: Object.keys(appCodes) },
                issues: {
                  type: "array",
                  items: {
                    type: "object",
                    properties: { path: { type: "array", items: { type: "string" } }, message: { type: "string" } },
                  },
                },
                retryAfterSeconds: { type: "integer", description: "With RATE_LIMITED" },
                reasons: { type: "array", items: { type: "string" }, description: "With WEAK_PASSWORD" },
              },
              required: ["code", "appCode"],
            },
          },
          required: ["message", "data"],
        },
      },
      required: ["json"],
    },
  },
  required: ["error"],
};

const oauthError: JsonSchema = {
  type: "object",
  description: "RFC 6749 §5.2 error response.",
  properties: {
    error: { type: "string", enum: ["invalid_request", "unsupported_grant_type", "invalid_grant"] },
    error_description: { type: "string" },
  },
  required: ["error"],
};

const tokenResponse: JsonSchema = {
  type: "object",
  description: "RFC 6749 §5.1 successful token response.",
  properties: {
    access_token: { type: "string" },
    token_type: { const: "Bearer" },
    expires_in: { type: "integer", description: "Seconds until the access token expires" },
    refresh_token: { type: "string" },
  },
  required: ["access_token", "token_type", "expires_in", "refresh_token"],
};

const tokenRequest: JsonSchema = {
  type: "object",
  description:
    "`grant_type=password` with `username` and `password`, or `grant_type=refresh_token` with `refresh_token`.",
  properties: {
    grant_type: { type: "string", enum: ["password", "refresh_token"] },
    username: { type: "string", maxLength: 320, description: "The account's email (password grant)" },
    password: { type: "string", maxLength: 1024, format: "password", description: "(password grant)" },
    refresh_token: { type: "string", maxLength: 512, description: "(refresh_token grant)" },
  },
  required: ["grant_type"],
};

const jsonContent = (schema: JsonSchema) => ({ "application/json": { schema } });

/** The error body of the attachment routes. */
const attachmentError: JsonSchema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: { appCode: { type: "string" }, message: { type: "string" } },
      required: ["appCode", "message"],
    },
  },
  required: ["error"],
};

/** `{"result":{"data":{"json": <output>}}}`: the superjson envelope of a successful call. */
const trpcResult = (output: JsonSchema): JsonSchema => ({
  type: "object",
  properties: {
    result: {
      type: "object",
      properties: {
        data: {
          type: "object",
          properties: { json: output, meta: { type: "object", description: "superjson type annotations" } },
          required: ["json"],
        },
      },
      required: ["data"],
    },
  },
  required: ["result"],
});

const errorResponses = (signedIn: boolean) => ({
  "400": {
    description: "INVALID_INPUT, WEAK_PASSWORD",
    content: jsonContent({ $ref: "#/components/schemas/TrpcError" }),
  },
  ...(signedIn
    ? {
        "401": {
          description: "TOKEN_INVALID, TOKEN_EXPIRED, SESSION_REVOKED",
          content: jsonContent({ $ref: "#/components/schemas/TrpcError" }),
        },
      }
    : {}),
  "429": {
    description: "RATE_LIMITED; the Retry-After header says when to try again",
    headers: { "Retry-After": { schema: { type: "integer" } } },
    content: jsonContent({ $ref: "#/components/schemas/TrpcError" }),
  },
  default: { description: "Any other app code", content: jsonContent({ $ref: "#/components/schemas/TrpcError" }) },
});

function inputSchema(schema: z.ZodType | undefined): JsonSchema | undefined {
  if (!schema) return undefined;
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  delete json.$schema;
  return json;
}

function procedureOperation(path: string, procedure: ProcedureInfo): [string, Operation] {
  const { signedIn } = procedure;
  const [tag = "trpc"] = path.split(".");
  const input = inputSchema(procedure.input);
  const base: Operation = {
    operationId: path,
    summary: path,
    tags: [tag],
    ...(signedIn ? { security: [{ bearer: [] }, { oauth2: [] }] } : { security: [] }),
    responses: {
      "200": {
        description: "The procedure's output in the superjson envelope",
        content: jsonContent(trpcResult(outputs[path] ?? {})),
      },
      ...errorResponses(signedIn),
    },
  };
  if (procedure.type === "subscription") {
    return [
      "get",
      {
        ...base,
        description:
          "tRPC subscription as server-sent events (`Accept: text/event-stream`). The input goes JSON-encoded in " +
          '`input` as `{"json": <input>}`. Each event\'s `data` is `{"json": <event>}` and its `id` the event id; a ' +
          "client that reconnects sends it back (`Last-Event-ID`, or `lastEventId` in the input) to get what it missed. " +
          "`ping` events keep the connection alive.",
        parameters: input
          ? [
              {
                name: "input",
                in: "query",
                required: false,
                description: 'URL-encoded JSON `{"json": <input>}`; the input schema is in `x-trpc-input`.',
                schema: { type: "string" },
                "x-trpc-input": input,
              },
            ]
          : [],
        responses: {
          "200": {
            description: "A stream of server-sent events",
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
          ...errorResponses(signedIn),
        },
      },
    ];
  }
  if (procedure.type === "query") {
    return [
      "get",
      {
        ...base,
        description: `tRPC query. ${input ? 'The input goes JSON-encoded in `input` as `{"json": <input>}`.' : "No input."}`,
        parameters: input
          ? [
              {
                name: "input",
                in: "query",
                required: false,
                description: 'URL-encoded JSON `{"json": <input>}`; the input schema is in `x-trpc-input`.',
                schema: { type: "string" },
                "x-trpc-input": input,
              },
            ]
          : [],
      },
    ];
  }
  const body: JsonSchema = {
    type: "object",
    properties: {
      json: input ?? { type: "null" },
      meta: { type: "object", description: "superjson type annotations (only for Dates, Maps, ...)" },
    },
    ...(input ? { required: ["json"] } : {}),
  };
  return [
    "post",
    {
      ...base,
      description: 'tRPC mutation. The body is the input in the superjson envelope `{"json": <input>}`.',
      requestBody: { required: !!input, content: jsonContent(body) },
    },
  ];
}

export function buildOpenApiDocument(options: { title?: string; version?: string } = {}) {
  const paths: Record<string, Record<string, Operation>> = {
    "/healthz": {
      get: {
        operationId: "healthz",
        summary: "Liveness",
        tags: ["http"],
        security: [],
        responses: {
          "200": {
            description: "The process runs",
            content: jsonContent({ type: "object", properties: { status: { const: "ok" } } }),
          },
        },
      },
    },
    "/readyz": {
      get: {
        operationId: "readyz",
        summary: "Readiness: database and Redis answer",
        tags: ["http"],
        security: [],
        responses: {
          "200": { description: "Ready", content: jsonContent({ $ref: "#/components/schemas/Readiness" }) },
          "503": { description: "Not ready", content: jsonContent({ $ref: "#/components/schemas/Readiness" }) },
        },
      },
    },
    "/.well-known/jwks.json": {
      get: {
        operationId: "jwks",
        summary: "Public keys that verify access tokens (JWK Set, Ed25519)",
        tags: ["http"],
        security: [],
        responses: {
          "200": {
            description: "JWK Set",
            content: jsonContent({
              type: "object",
              properties: { keys: { type: "array", items: { type: "object" } } },
            }),
          },
        },
      },
    },
    "/oauth/token": {
      post: {
        operationId: "oauthToken",
        summary: "OAuth 2 token endpoint (RFC 6749): password and refresh_token grants",
        tags: ["http"],
        security: [],
        requestBody: {
          required: true,
          content: { "application/x-www-form-urlencoded": { schema: { $ref: "#/components/schemas/TokenRequest" } } },
        },
        responses: {
          "200": { description: "Tokens", content: jsonContent({ $ref: "#/components/schemas/TokenResponse" }) },
          "400": {
            description: "RFC 6749 §5.2 error",
            content: jsonContent({ $ref: "#/components/schemas/OAuthError" }),
          },
          "429": {
            description:
              "Too many attempts (the sign-in and refresh limits of auth.login and auth.refresh); see Retry-After",
            headers: { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait" } },
            content: jsonContent({ $ref: "#/components/schemas/OAuthError" }),
          },
        },
      },
    },
    "/attachments": {
      post: {
        operationId: "uploadAttachment",
        summary: "Upload one attachment for mail.send or mail.saveDraft (multipart, at most MAIL_MAX_ATTACHMENT_MB)",
        tags: ["http"],
        security: [{ bearer: [] }],
        requestBody: {
          required: true,
          content: {
            "multipart/form-data": {
              schema: {
                type: "object",
                properties: { file: { type: "string", format: "binary" } },
                required: ["file"],
              },
            },
          },
        },
        responses: {
          "201": {
            description: "Stored",
            content: jsonContent({
              type: "object",
              properties: { attachmentId: { type: "string", format: "uuid" } },
              required: ["attachmentId"],
            }),
          },
          "401": { description: "No valid access token", content: jsonContent(attachmentError) },
          "403": { description: "Email address not verified", content: jsonContent(attachmentError) },
          "413": { description: "Larger than MAIL_MAX_ATTACHMENT_MB", content: jsonContent(attachmentError) },
          "415": { description: "Not multipart/form-data", content: jsonContent(attachmentError) },
          "429": { description: "Too many requests; see Retry-After", content: jsonContent(attachmentError) },
        },
      },
    },
    "/attachments/{token}": {
      get: {
        operationId: "downloadAttachment",
        summary: "Download through a mail.attachmentUrl link (5 minutes, bound to the user), as a file",
        tags: ["http"],
        security: [],
        parameters: [{ name: "token", in: "path", required: true, schema: { type: "string" } }],
        responses: {
          "200": {
            description: "The file, with Content-Disposition: attachment, its declared type and nosniff",
            content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
          },
          "404": {
            description: "Bad or expired link, or the attachment is gone",
            content: jsonContent(attachmentError),
          },
          "502": { description: "The mail server could not be reached", content: jsonContent(attachmentError) },
        },
      },
    },
    "/metrics": {
      get: {
        operationId: "metrics",
        summary: "Prometheus metrics (text format); needs the METRICS_TOKEN bearer when one is configured",
        tags: ["http"],
        security: [],
        responses: { "200": { description: "Metrics", content: { "text/plain": { schema: { type: "string" } } } } },
      },
    },
  };
  // Development tools that production does not serve are left out.
  for (const procedure of procedureList.filter((entry) => !entry.devOnly)) {
    const { path } = procedure;
    const [method, operation] = procedureOperation(path, procedure);
    paths[`/trpc/${path}`] = { [method]: operation };
  }
  const tags = [
    ...new Set(Object.values(paths).flatMap((item) => Object.values(item).flatMap((op) => op.tags as string[]))),
  ];
  return {
    openapi: "3.1.0",
    info: {
      title: options.title ?? "Tidings API",
      version: options.version ?? "1",
      description:
        "The HTTP surface of Tidings. Procedures are tRPC v11 with the superjson transformer: a mutation is " +
        '`POST /trpc/<procedure>` with the body `{"json": <input>}`, a query is `GET /trpc/<procedure>?input=<url-encoded {"json": <input>}>`; ' +
        'answers are `{"result":{"data":{"json": <output>}}}` or `{"error":{"json":{message, data:{code, appCode}}}}`. ' +
        "Sign in with the OAuth 2 password flow (Authorize) or `auth.login`, then send `Authorization: Bearer <access token>`.",
    },
    servers: [{ url: "/" }],
    tags: tags.map((name) => ({ name, description: tagDescriptions[name] ?? name })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An access token" },
        oauth2: {
          type: "oauth2",
          description: "Password grant at /oauth/token (a public client: no client id or secret needed)",
          flows: { password: { tokenUrl: "/oauth/token", refreshUrl: "/oauth/token", scopes: {} } },
        },
      },
      schemas: {
        User: user,
        Session: session,
        AuthResult: authResult,
        TrpcError: trpcError,
        OAuthError: oauthError,
        TokenRequest: tokenRequest,
        TokenResponse: tokenResponse,
        Readiness: {
          type: "object",
          properties: {
            status: { type: "string", enum: ["ready", "not ready"] },
            checks: {
              type: "object",
              properties: { database: { type: "string" }, redis: { type: "string" } },
            },
          },
        },
      },
    },
  };
}
