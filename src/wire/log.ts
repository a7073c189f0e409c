/**
 * The one logger for failures nobody else hears of (a publish, a handover, an inbox, an error
 * no handler caught): one JSON line on console.error, for Workers Logs, like the request log
 * (src/edge/request-log.ts). A line carries `level`, `message` and fields that tell the case
 * apart: never a body or a full session id (at most `sessionIdPrefix`), and a stack only for
 * an unexpected error, where the operator needs it (the client never sees it).
 */
export function logError(message: string, fields: Record<string, string | number | undefined> = {}): void {
  console.error(JSON.stringify({ level: "error", message, ...fields }));
}

/** What an error says, without its stack: for a log line or an error response. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
