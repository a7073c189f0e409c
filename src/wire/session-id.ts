/**
 * Session ids: 122 random bits from the platform CSPRNG (a v4 UUID), never derived from user
 * data. Anything else in Mcp-Session-Id cannot name a session, so it is refused without a
 * round trip to a Durable Object.
 */
const SESSION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function newSessionId(): string {
  return crypto.randomUUID();
}

export function isSessionId(value: string): boolean {
  return SESSION_ID_PATTERN.test(value);
}

/** Enough to tell sessions apart in a log line without handing out the id itself. */
export function sessionIdPrefix(sessionId: string): string {
  return sessionId.slice(0, 8);
}
