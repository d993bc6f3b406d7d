import { connect } from "node:net";

export interface SlowResult {
  /** Everything the server sent (latin1). */
  response: string;
  /** How many drips went out before the server closed the connection. */
  dripsSent: number;
  /** False when the client gave up first (all drips sent, then `giveUpAfterDrips` more ticks). */
  closedByServer: boolean;
}

/**
 * A slowloris client: sends `head`, then one byte of `drip` (cycled) every `everyMs`, up to `maxDrips`
 * bytes, and keeps the connection open for `giveUpAfterDrips` more ticks. Bounds are counts, not times.
 */
export function slowRequest(
  url: string,
  head: string,
  options: { drip?: string; everyMs: number; maxDrips: number; giveUpAfterDrips?: number },
): Promise<SlowResult> {
  const { hostname, port } = new URL(url);
  const drip = options.drip ?? "a";
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let dripsSent = 0;
    let ticks = 0;
    let closedByServer = true;
    const socket = connect(Number(port), hostname, () => socket.write(head));
    const timer = setInterval(() => {
      ticks++;
      if (dripsSent < options.maxDrips) {
        if (!socket.writable) return;
        socket.write(drip[dripsSent % drip.length] as string);
        dripsSent++;
      } else if (ticks > options.maxDrips + (options.giveUpAfterDrips ?? 100)) {
        closedByServer = false;
        socket.destroy();
      }
    }, options.everyMs);
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ response: Buffer.concat(chunks).toString("latin1"), dripsSent, closedByServer });
    });
  });
}
