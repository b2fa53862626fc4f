import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import type {
  AnyTRPCMutationProcedure,
  AnyTRPCQueryProcedure,
  AnyTRPCSubscriptionProcedure,
  inferProcedureInput,
} from "@trpc/server";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import {
  AppError,
  type AppRouter,
  appRouter,
  createCallerFactory,
  createContext,
  plainRequest,
  type procedureCatalogue,
  procedureList,
} from "../src/index.ts";
import { testInnerContext } from "./context.ts";

// The router's procedures as the router's own types see them: path, type and input, flattened.
// Inputs without void and undefined: tRPC adds both where an input may be left out.
type Given<T> = Exclude<T, void>;
type RouterKeys<R> = Exclude<keyof R, "_def" | "createCaller"> & string;
type RouterProcedures<R, P extends string = ""> = {
  [K in RouterKeys<R>]: R[K] extends AnyTRPCQueryProcedure
    ? { path: `${P}${K}`; type: "query"; input: Given<inferProcedureInput<R[K]>> }
    : R[K] extends AnyTRPCMutationProcedure
      ? { path: `${P}${K}`; type: "mutation"; input: Given<inferProcedureInput<R[K]>> }
      : R[K] extends AnyTRPCSubscriptionProcedure
        ? { path: `${P}${K}`; type: "subscription"; input: Given<inferProcedureInput<R[K]>> }
        : RouterProcedures<R[K], `${P}${K}.`>;
}[RouterKeys<R>];

type Catalogue = typeof procedureCatalogue;
type CatalogueProcedures = {
  [P in keyof Catalogue]: {
    path: P;
    type: Catalogue[P]["type"];
    input: Catalogue[P] extends { input: z.ZodType } ? Given<z.input<Catalogue[P]["input"]>> : never;
  };
}[keyof Catalogue];

/** Every procedure path of the router, read from the router object itself (namespaces are its keys). */
function routerPaths(record: object, prefix = ""): string[] {
  return Object.entries(record).flatMap(([key, value]) => {
    if (key === "_def" || key === "createCaller") return [];
    return typeof value === "function" ? [`${prefix}${key}`] : routerPaths(value as object, `${prefix}${key}.`);
  });
}

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb?.drop());

describe("procedure catalogue", () => {
  it("has each procedure of the router with its type and input schema, and nothing else (types)", () => {
    expectTypeOf<CatalogueProcedures>().toEqualTypeOf<RouterProcedures<AppRouter>>();
  });

  it("lists exactly the router's procedure paths", () => {
    expect(procedureList.map((entry) => entry.path).sort()).toEqual(routerPaths(appRouter).sort());
  });

  it("says which procedures need sign-in: those refuse a signed-out call before reading the input", async () => {
    const caller = createCallerFactory(appRouter)(
      createContext(await testInnerContext(testDb.handle.db), plainRequest()),
    );
    for (const { path, signedIn } of procedureList) {
      const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
      const outcome = await (procedure as (input: unknown) => Promise<unknown>)("not an input").then(
        () => "ok",
        (error: unknown) => (error instanceof AppError ? error.appCode : String(error)),
      );
      expect(outcome === "TOKEN_INVALID", `${path}: ${outcome}`).toBe(signedIn);
    }
  });
});
