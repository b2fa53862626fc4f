/** Raw HTTP calls in the wire format of API.md, as an outside program would make them. */
export interface TrpcAnswer<T = unknown> {
  status: number;
  headers: Headers;
  data: T | undefined;
  error: { message: string; data: { code: string; appCode: string; [key: string]: unknown } } | undefined;
}

export async function trpcCall<T = Record<string, unknown>>(
  baseUrl: string,
  kind: "query" | "mutation",
  path: string,
  input?: unknown,
  headers: Record<string, string> = {},
): Promise<TrpcAnswer<T>> {
  const url = new URL(`/trpc/${path}`, baseUrl);
  let response: Response;
  if (kind === "query") {
    if (input !== undefined) url.searchParams.set("input", JSON.stringify({ json: input }));
    response = await fetch(url, { headers });
  } else {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ json: input ?? null }),
    });
  }
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: { json: TrpcAnswer["error"] } };
  return { status: response.status, headers: response.headers, data: body.result?.data.json, error: body.error?.json };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
