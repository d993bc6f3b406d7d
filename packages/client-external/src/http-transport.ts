/** One request as the client sends it; the transport knows nothing of routes. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** The caller's context.signal: aborting it closes the request, which tells the server the caller left. */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  contentType: string | null;
  text: string;
}

export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
  /** Releases pooled connections. */
  close(): void;
}

/** Raised when the server cannot be reached or the connection breaks: no HTTP answer exists to map. */
export class TransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TransportError";
  }
}

/** Any WHATWG fetch: the browser default, and whatever a caller injects. */
export function fetchTransport(fetchImpl: typeof fetch): HttpTransport {
  return {
    async send({ method, url, headers, body, signal }) {
      // The connection can break before the answer or in the middle of its body: both are no HTTP answer.
      try {
        const response = await fetchImpl(url, {
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          ...(signal === undefined ? {} : { signal }),
        });
        const text = await response.text();
        return { status: response.status, contentType: response.headers.get("content-type"), text };
      } catch (error) {
        throw new TransportError(`${method} ${url} failed: ${(error as Error)?.message ?? error}`, {
          cause: error,
        });
      }
    },
    close() {},
  };
}
