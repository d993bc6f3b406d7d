/** How the CLI hands the server's base URL to the shipped test file it runs in vitest. */
export const URL_ENV = "CONSUMER_API_CONFORMANCE_URL";
