// The generators (JSON Schema, OpenAPI, AsyncAPI, files on disk): `@consumer-api/contracts/generate`. Kept out
// of the package index so a browser client does not bundle them, nor the node:fs they write with.
export * from "./asyncapi.js";
export * from "./json-schema.js";
export * from "./openapi.js";
export * from "./stable-json.js";
export * from "./wire-direction.js";
export * from "./wire-schemas.js";
export * from "./write-schemas.js";
