// What a client needs at run time, without zod: `@consumer-api/contracts/runtime`. The route table's data,
// the channels, URL paths, the errors and their mapping from problem+json, the rules every binding applies
// to arguments, and the generated wire schemas to check what a server sends. A browser bundle of a client
// that imports only this carries no schema library (client-external's browser-bundle test checks it).
export * from "./bpmn-error.js";
export * from "./channels.js";
export * from "./endpoints.js";
export * from "./errors.js";
export * from "./external-task-worker.js";
export * from "./json-depth.js";
export * from "./json-schema-check.js";
export * from "./key-rule.js";
export * from "./paths.js";
export * from "./plain-json.js";
export * from "./wire-check.js";
export * from "./ws-close-codes.js";
