// workerd has no jurisdictions: `namespace.jurisdiction("eu")` throws "Jurisdiction restrictions
// are not implemented in workerd" (the vitest plugin's 1.20261102 and wrangler dev's 1.20261117).
import { env } from "cloudflare:test";

/**
 * Stands in for Cloudflare's jurisdictions until the returned function is called: in jurisdiction
 * J, the name N is the object "J:N" of the whole namespace, so that one name is another object in
 * each jurisdiction, as on Cloudflare, for every binding of the isolate (the objects' own too).
 * Unlike on Cloudflare, such an object's `ctx.id.name` is "J:N", not N.
 */
export function simulateJurisdictions(): () => void {
  const prototype = Object.getPrototypeOf(env.MCP_SESSION) as DurableObjectNamespace;
  const original = Object.getOwnPropertyDescriptor(prototype, "jurisdiction")!;
  Object.defineProperty(prototype, "jurisdiction", {
    configurable: true,
    writable: true,
    value(this: DurableObjectNamespace, jurisdiction: DurableObjectJurisdiction): Partial<DurableObjectNamespace> {
      const idFromName = (name: string) => this.idFromName(`${jurisdiction}:${name}`);
      return { idFromName, get: (id, options) => this.get(id, options) };
    },
  });
  return () => Object.defineProperty(prototype, "jurisdiction", original);
}
