// Types of the bindings and exports the workerd tests reach through cloudflare:test / cloudflare:workers.
declare namespace Cloudflare {
  interface Env {
    MCP_SESSION: DurableObjectNamespace<import("../../src/session/session-do.js").SessionDO>;
    MCP_TOPICS: DurableObjectNamespace<import("../../src/push/topic-do.js").TopicDO>;
  }
  interface GlobalProps {
    mainModule: typeof import("../../src/index.js");
    durableNamespaces: "SessionDO" | "TopicDO";
  }
}
