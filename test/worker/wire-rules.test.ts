// The Streamable HTTP wire rules (test/shared/wire-rules.ts) inside workerd, through the Worker's fetch.
import { describeWireRules } from "../shared/wire-rules.js";
import { worker } from "./helpers.js";

describeWireRules("the Worker in workerd", () => worker);
