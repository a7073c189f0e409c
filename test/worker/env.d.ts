// Types of the bindings and exports the workerd tests reach through cloudflare:test / cloudflare:workers.
declare namespace Cloudflare {
  interface Env {
    MCP_SESSION: DurableObjectNamespace<import("../../src/sessions/object/session-do.js").SessionDO>;
    MCP_TOPICS: DurableObjectNamespace<import("../../src/sessions/topics/topic-do.js").TopicDO>;
    MCP_QUOTA: DurableObjectNamespace<import("../../src/sessions/quota/quota-do.js").SessionQuotaDO>;
    MCP_SESSION_RATE_ADDRESS: RateLimit;
    MCP_LISTENERS: DurableObjectNamespace<import("../../src/listen/hub-do.js").ListenHubDO>;
    MCP_STATE: DurableObjectNamespace<import("../../src/state/state-do.js").StateDO>;
    MCP_TASKS: DurableObjectNamespace;
  }
  interface GlobalProps {
    mainModule: typeof import("../../demo/index.js");
    durableNamespaces: "SessionDO" | "TopicDO" | "SessionQuotaDO" | "ListenHubDO" | "StateDO" | "TaskDO";
  }
}
