// Serves any ConsumerApi over HTTP and WebSocket; the server program is bin.ts.
export { createFetchHandler } from "./fetch-handler.js";
export { createNodeHandler } from "./node-handler.js";
export { attachNotifications, WS_CLOSE_BACKPRESSURE } from "./notifications.js";
export type { RequestLogEntry, ServerOptions } from "./server-options.js";
export { defaults as serverDefaults } from "./server-options.js";
export {
  type RunningServer,
  type StartServerOptions,
  startServer,
  startServerDefaults,
} from "./start-server.js";
export { loadStaticSite, type StaticSite } from "./static-site.js";
