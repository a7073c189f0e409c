/**
 * What the demo keeps in the library's state (README, "State"), read once by the factory before
 * it registers anything: whether `extra_tool` is on, per session (2025) and per principal (both
 * eras; the session's own switch wins), and the principal's notes.
 */
import type { RequestState } from "../src/lib.js";

/** One shape for both scopes: a session keeps only its switch. */
export type DemoValue = { extraTool?: boolean; notes?: string[] };

export interface DemoState {
  state: RequestState;
  session: DemoValue | undefined;
  principal: DemoValue | undefined;
}

export async function readDemoState(state: RequestState): Promise<DemoState> {
  const [session, principal] = await Promise.all([state.session<DemoValue>()?.read(), state.principal<DemoValue>()?.read()]);
  return { state, session, principal };
}

/** Whether extra_tool is listed: the session's switch, else the principal's. */
export function extraToolOn({ session, principal }: DemoState): boolean {
  return session?.extraTool ?? principal?.extraTool ?? false;
}
