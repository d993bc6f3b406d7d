// One behavioural suite for every ConsumerApi implementation, and a CLI to run it against a server by URL.
export {
  type FixtureSet,
  fixtureModelFiles,
  fixtureSets,
  fixtureSetsFor,
  fixtures,
  type Role,
  tokens,
  writeFixtureModels,
} from "./fixtures.js";
export { type HttpSuiteOptions, httpSuite } from "./http-suite.js";
export {
  type ConformanceOptions,
  LEVEL_ONE,
  type Supports,
  supportsFromCapabilities,
} from "./options.js";
export { serverSupports } from "./remote/server-capabilities.js";
export { type SchemaCheckedFetch, schemaCheckedFetch } from "./schema-checked-fetch.js";
export { suite } from "./suite.js";
export { type WebSocketSuiteOptions, webSocketSuite } from "./websocket-suite.js";
