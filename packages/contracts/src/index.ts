// The ConsumerAPI contract: zod schemas, types, the ConsumerApi interface, errors, routes and channels as data, JSON Schema / OpenAPI generation.
export {};
