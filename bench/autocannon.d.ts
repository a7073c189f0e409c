// The part of autocannon 9's API the benchmark uses (the package ships no types).
declare module "autocannon" {
  export type Context = Record<string, unknown>;

  export interface RequestSpec {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Called before each send with the connection's context; returns the request to send. */
    setupRequest?: (request: RequestSpec, context: Context) => RequestSpec;
    onResponse?: (status: number, body: string, context: Context, headers: Record<string, string | string[]>) => void;
  }

  export interface Options {
    url: string;
    connections?: number;
    /** Seconds; ignored when `amount` is set. */
    duration?: number;
    /** Total requests, spread evenly over the connections. */
    amount?: number;
    /** A cap on the total requests of a `duration` run. */
    maxOverallRequests?: number;
    /** Seconds a request may take before it counts as a timeout. */
    timeout?: number;
    requests?: RequestSpec[];
  }

  export interface Result {
    errors: number;
    timeouts: number;
  }

  export interface Instance {
    stop(): void;
    /** Every response, with its time from request sent to response complete, in (fractional) ms. */
    on(event: "response", listener: (client: unknown, status: number, bytes: number, responseTimeMs: number) => void): this;
  }

  export default function autocannon(options: Options, done: (error: Error | null, result: Result) => void): Instance;
}
