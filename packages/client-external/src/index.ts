// ConsumerApi over HTTP + WebSocket against a ConsumerAPI server (Node and browsers).
export {};
