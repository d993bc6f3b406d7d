// The worker's vocabulary, so a worker needs only its client's import.
export {
  BpmnError,
  type ExternalTaskHandler,
  type ExternalTaskSubscribeOptions,
  type ExternalTaskSubscription,
  type ExternalTaskWorker,
  type ExternalTaskWorkerOptions,
} from "@consumer-api/contracts";
export { identitiesFromFile, identitiesFromObject } from "./identities-file.js";
export type { Identity, IdentityProvider } from "./identity.js";
export {
  createInternalConsumerApi,
  IMPLEMENTED_CAPABILITIES,
  type InternalConsumerApi,
  type InternalConsumerApiOptions,
} from "./internal-consumer-api.js";
export { type JwtIdentityOptions, jwtIdentityProvider } from "./jwt-identities.js";
export { canAccess } from "./lanes.js";
export { type OpenInternalConsumerApiOptions, openInternalConsumerApi } from "./open.js";
