/** How the CLI hands the server's base URL to the shipped test file it runs in vitest. */
export const URL_ENV = "CONSUMER_API_CONFORMANCE_URL";
/** How the CLI hands what the server claims (SPEC §14, a JSON `Supports`) to the same file. */
export const SUPPORTS_ENV = "CONSUMER_API_CONFORMANCE_SUPPORTS";
