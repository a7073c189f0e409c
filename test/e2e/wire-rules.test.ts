// The Streamable HTTP wire rules (test/shared/wire-rules.ts) over the network, against wrangler dev.
import { describeWireRules } from "../shared/wire-rules.js";
import { useDevServer } from "./helpers/dev-server.js";

const { endpoint } = useDevServer();

describeWireRules("wrangler dev", () => endpoint);
