/** The part of the WHATWG WebSocket this client uses; `ws` and every browser's WebSocket provide it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string, options?: unknown) => WebSocketLike;

/** WebSocket.OPEN in every implementation. */
export const OPEN = 1;
