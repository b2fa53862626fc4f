import type { Config } from "@tidings/config";
import type { Database, Kysely } from "@tidings/db";
import type { JobProducer } from "@tidings/jobs";

/** What every procedure may use; built without HTTP so tests can call procedures directly. */
export interface InnerContext {
  config: Config;
  db: Kysely<Database>;
  jobs: JobProducer;
}

export interface RequestInfo {
  ip: string;
  userAgent: string | undefined;
  requestId: string;
}

export interface Context extends InnerContext {
  request: RequestInfo;
}

export function createInnerContext(deps: InnerContext): InnerContext {
  return { config: deps.config, db: deps.db, jobs: deps.jobs };
}

export function createContext(deps: InnerContext, request: RequestInfo): Context {
  return { ...createInnerContext(deps), request };
}
