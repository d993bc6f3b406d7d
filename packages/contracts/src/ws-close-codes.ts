/** Close code of the notification WebSocket after a 401 error frame (SPEC §5.1). */
export const WS_CLOSE_UNAUTHORIZED = 4401;
