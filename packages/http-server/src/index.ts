// Serves any ConsumerApi over HTTP and WebSocket; the server program.
export {};
