/**
 * The one way the library finds a Durable Object: by name, in the namespace of `binding`,
 * restricted to the deployment's jurisdiction when it has one (createMcpHandler's and
 * createPusher's `jurisdiction`). A name means another object in each jurisdiction, so every
 * lookup, the Worker's and the objects' own, goes through here with the same jurisdiction.
 */

/** Whether the Worker has a binding named `binding`: an optional feature is off without one. */
export function hasBinding(env: object, binding: string): boolean {
  return (env as Record<string, unknown>)[binding] !== undefined;
}

/** The object named `name` in `binding`, or undefined when the Worker has no such binding. */
export function objectNamed<T extends Rpc.DurableObjectBranded | undefined>(
  env: object,
  binding: string,
  jurisdiction: DurableObjectJurisdiction | undefined,
  name: string,
): DurableObjectStub<T> | undefined {
  const namespace = (env as Record<string, DurableObjectNamespace<T> | undefined>)[binding];
  const placed = jurisdiction ? namespace?.jurisdiction(jurisdiction) : namespace;
  return placed?.get(placed.idFromName(name));
}
