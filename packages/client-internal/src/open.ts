import { type EngineOptions, openEngine } from "@consumer-api/engine";
import { identitiesFromFile } from "./identities-file.js";
import type { IdentityProvider } from "./identity.js";
import {
  createInternalConsumerApi,
  type InternalConsumerApi,
  type InternalConsumerApiOptions,
} from "./internal-consumer-api.js";

export interface OpenInternalConsumerApiOptions {
  /** Directory of .bpmn files. */
  models: string;
  /** Directory for the engine's SQLite file, ":memory:", or a PostgreSQL URL (postgres://…, SPEC §7.1). */
  data: string;
  /** An identity provider, or the path of an identities file (SPEC §7). */
  identities: IdentityProvider | string;
  /** A script or condition running longer fails the instance. Engine default 5000. */
  scriptTimeoutMs?: number;
  /** SQLite synchronous mode. Engine default "FULL". */
  synchronous?: "FULL" | "NORMAL";
  /** Several processes on one PostgreSQL database: the lease and sweep of EngineOptions.cluster. */
  cluster?: EngineOptions["cluster"];
  /** See InternalConsumerApiOptions. */
  capabilities?: InternalConsumerApiOptions["capabilities"];
  application?: InternalConsumerApiOptions["application"];
}

/** Opens an engine on a models and a data directory and wraps it; close() closes the engine too. */
export async function openInternalConsumerApi(
  options: OpenInternalConsumerApiOptions,
): Promise<InternalConsumerApi> {
  // Identities first: a broken identities file should fail before the engine opens its database.
  const identities =
    typeof options.identities === "string"
      ? await identitiesFromFile(options.identities)
      : options.identities;
  const engine = await openEngine({
    models: options.models,
    data: options.data,
    ...(options.scriptTimeoutMs === undefined ? {} : { scriptTimeoutMs: options.scriptTimeoutMs }),
    ...(options.synchronous === undefined ? {} : { synchronous: options.synchronous }),
    ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
  });
  return createInternalConsumerApi({
    engine,
    identities,
    ownsEngine: true,
    ...(options.capabilities === undefined ? {} : { capabilities: options.capabilities }),
    ...(options.application === undefined ? {} : { application: options.application }),
  });
}
