/**
 * TaskDO: one Durable Object per task (README, "Long-running tools"). `create` stores the task
 * and sets an alarm for now; the alarm builds the user's server with the deployment's factory and
 * awaits the tool's handler there, where it survives its client leaving and the Worker isolate
 * that received the call ending. Every client request about the task (get, update, cancel),
 * from any isolate, reaches this one object, which holds the handler's questions and hands it
 * the answers. The alarm fires again at the task's expiry and deletes everything.
 *
 * A run the platform cut off (a restart, a limit) leaves its record `working` with no run in
 * memory: the next alarm, or the next `tasks/get`, notices it and ends the task `failed` with
 * the reason, or runs the tool again when it declares `idempotentHint` (at most MAX_TASK_ATTEMPTS).
 * Storage layout, key-value: "task" → TaskRecord.
 */
import { DurableObject } from "cloudflare:workers";
import {
  ErrorCode,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
} from "@modelcontextprotocol/sdk/types.js";
import type { ServerLease, ServerSource } from "../lane/server-pool.js";
import type { Principal } from "../security/auth.js";
import { createRequestState } from "../state/request-state.js";
import type { StateStoreOptions } from "../state/store.js";
import { keyedQuestion, validAnswer } from "../wire/answers.js";
import { errorResponse } from "../wire/errors.js";
import { errorMessage, logError } from "../wire/log.js";
import { MAX_TASK_ATTEMPTS, MAX_TASK_RESULT_BYTES, MAX_TASK_RUN_MS, MAX_TASK_WAIT_MS } from "./options.js";
import {
  isTerminal,
  ownedBy,
  viewOf,
  type TaskError,
  type TaskOwner,
  type TaskRecord,
  type TaskStart,
  type TaskView,
} from "./record.js";
import type { TaskRpc } from "./client.js";
import { ToolCallRun, type RunOutcome } from "./run.js";

/** Progress may come many times a second: the record is written, and listeners told, at most this often. */
export const PROGRESS_FLUSH_MS = 1000;

/** What the deployment gives its task objects: the server to run and where changes go. */
export interface TaskRuntime<E> {
  server: ServerSource<E>;
  state: StateStoreOptions;
  /** The task's status changed: tell whoever listens for it. */
  announce(env: E, view: TaskView, record: TaskRecord): Promise<unknown>;
  /** The handler sent list changes or resource updates. */
  publish(env: E, changes: JSONRPCNotification[], principal: Principal): Promise<unknown>;
}

/** A question the handler waits on. */
interface Waiting {
  questionId: JSONRPCRequest["id"];
  resolve(answer: JSONRPCMessage): void;
}

const RECORD_KEY = "task";

/** A deployment's task object: its RPC (src/tasks/client.ts) and its alarm. Declared, as a class's private members cannot be emitted. */
export type TaskObject<E = unknown> = DurableObject<E> & TaskRpc;
export type TaskObjectClass<E = unknown> = new (ctx: DurableObjectState, env: E) => TaskObject<E>;

export function createTaskObject<E>(runtime: TaskRuntime<E>): TaskObjectClass<E> {
  return class TaskDO extends DurableObject<E> {
    #record: TaskRecord | undefined;
    #run: ToolCallRun | undefined;
    readonly #waiting = new Map<string, Waiting>();
    #flush: ReturnType<typeof setTimeout> | undefined;
    /** Callers of `next` waiting for the task to change. */
    readonly #watchers = new Set<() => void>();

    constructor(ctx: DurableObjectState, env: E) {
      super(ctx, env);
      void ctx.blockConcurrencyWhile(async () => {
        this.#record = await ctx.storage.get<TaskRecord>(RECORD_KEY);
      });
    }

    /** Stores the task and starts it; a second create of the same id answers the first. */
    async create(start: TaskStart): Promise<TaskView> {
      if (this.#record) return viewOf(this.#record);
      const now = Date.now();
      this.#record = {
        ...start,
        status: "working",
        createdAt: now,
        lastUpdatedAt: now,
        inputRequests: {},
        answers: { ...start.answers },
        attempts: 0,
        idempotent: false,
      };
      await this.#save();
      await this.ctx.storage.setAlarm(now);
      return viewOf(this.#record);
    }

    /** The task as `owner` may see it; null when it does not exist for them. */
    async get(owner: TaskOwner): Promise<TaskView | null> {
      const record = this.#visible(owner);
      if (!record) return null;
      await this.#noticeLostRun(record);
      return viewOf(record);
    }

    /**
     * The task once it changed since `lastUpdatedAt`, or as it is after `waitMs` without a change:
     * a 2025 `tasks/result` waits on this rather than polling. Null when it does not exist for `owner`.
     */
    async next(owner: TaskOwner, lastUpdatedAt: string, waitMs: number): Promise<TaskView | null> {
      const record = this.#visible(owner);
      if (!record) return null;
      await this.#noticeLostRun(record);
      const view = viewOf(record);
      if (isTerminal(record.status) || view.lastUpdatedAt !== lastUpdatedAt) return view;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#watchers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(waitMs, MAX_TASK_WAIT_MS));
        this.#watchers.add(wake);
      });
      return this.get(owner);
    }

    /**
     * The client's answers, by the keys of `inputRequests`. A key the task does not wait on, or an
     * answer of the wrong kind, changes nothing; the task waits until every question is answered.
     */
    async update(owner: TaskOwner, responses: Record<string, unknown>): Promise<boolean> {
      const record = this.#visible(owner);
      if (!record) return false;
      if (isTerminal(record.status)) return true;
      let changed = false;
      for (const [key, response] of Object.entries(responses)) {
        const pending = record.inputRequests[key];
        const answer = pending && validAnswer(pending.method, response);
        if (!pending || !answer) continue;
        record.answers[key] = { method: pending.method, result: answer };
        this.#reply(record, key, { result: answer });
        changed = true;
      }
      if (changed) await this.#questionsChanged(record);
      return true;
    }

    /**
     * The client answered the question `key` with an error (a 2025 client may): the handler's
     * request fails with it, and the answer is not kept, so a run started again asks again.
     */
    async refuse(owner: TaskOwner, key: string, error: TaskError): Promise<boolean> {
      const record = this.#visible(owner);
      if (!record) return false;
      if (isTerminal(record.status) || !record.inputRequests[key]) return true;
      this.#reply(record, key, { error });
      await this.#questionsChanged(record);
      return true;
    }

    /** Cancels the task: its handler's `AbortSignal` fires. Cancelling a task that ended changes nothing. */
    async cancel(owner: TaskOwner): Promise<boolean> {
      const record = this.#visible(owner);
      if (!record) return false;
      if (isTerminal(record.status)) return true;
      record.status = "cancelled";
      record.statusMessage = "Cancelled by the client";
      record.inputRequests = {};
      await this.#changed(record);
      this.#run?.cancel("The client cancelled the task");
      this.#abandonQuestions("The task was cancelled");
      await this.#expireLater(record);
      return true;
    }

    override async alarm(): Promise<void> {
      const record = this.#record;
      if (!record) return;
      if (Date.now() >= record.createdAt + record.ttlMs) return await this.#delete();
      if (isTerminal(record.status) || this.#run) return await this.#expireLater(record);
      if (record.attempts > 0 && !(record.idempotent && record.attempts < MAX_TASK_ATTEMPTS)) {
        const why = record.idempotent
          ? `it was cut off ${record.attempts} times`
          : `${record.call.name} does not declare idempotentHint, so it is not run again`;
        await this.#settle(
          record,
          failure(`The task's run ended without an answer (the server restarted or a platform limit stopped it); ${why}`),
        );
        return await this.#expireLater(record);
      }
      await this.#execute(record);
      await this.#expireLater(record);
    }

    /** Runs the tool once, to its answer, a cancellation or the end of its run time (at most MAX_TASK_RUN_MS). */
    async #execute(record: TaskRecord): Promise<void> {
      record.attempts++;
      record.status = Object.keys(record.inputRequests).length > 0 ? "input_required" : "working";
      await this.#save();
      let asked = 0;
      const run = new ToolCallRun(record, {
        progress: (message) => this.#progress(record, message),
        ask: (question) => this.#ask(record, question, asked++),
        withdraw: (questionId) => void this.#withdraw(record, questionId),
        change: (change) =>
          void runtime
            .publish(this.env, [change], record.principal)
            .catch((error) => logError("Publishing a task's change failed", { reason: errorMessage(error) })),
      });
      this.#run = run;
      let deadline: ReturnType<typeof setTimeout> | undefined;
      // A record stored before runMs was kept in it gets the platform's bound.
      const runMs = Math.min(record.runMs ?? MAX_TASK_RUN_MS, MAX_TASK_RUN_MS);
      const cutOff = new Promise<RunOutcome>((resolve) => {
        deadline = setTimeout(() => {
          run.cancel("The task ran too long");
          resolve(failure(`The task ran longer than ${runMs / 1000} s, the most one run may take`));
        }, runMs);
      });
      let lease: ServerLease | undefined;
      try {
        const { env } = this;
        const principal = record.principal;
        const state = createRequestState(env as object, principal, runtime.state, {
          announceToPrincipal: (lists) => runtime.publish(env, lists, principal),
        });
        const request = new Request(record.request.url, { method: "POST", headers: record.request.headers });
        lease = await runtime.server.lease({ env, request, principal, state });
        await lease.connect(run);
        const tool = await run.describeTool();
        if (tool.idempotent !== record.idempotent) {
          record.idempotent = tool.idempotent;
          await this.#save();
        }
        await this.#settle(record, await Promise.race([run.call(), cutOff]));
      } catch (error) {
        logError("A task's run failed", { taskId: record.taskId, reason: errorMessage(error) });
        await this.#settle(record, failure(`The task's run failed: ${errorMessage(error)}`));
      } finally {
        if (deadline !== undefined) clearTimeout(deadline);
        this.#run = undefined;
        this.#abandonQuestions("The task ended");
        await run.close();
        await lease?.release();
      }
    }

    /** The run answered: the task ends with it, unless it already ended (cancelled). */
    async #settle(record: TaskRecord, outcome: RunOutcome): Promise<void> {
      // The end is written below: a pending progress flush has nothing left to say.
      if (this.#flush !== undefined) clearTimeout(this.#flush);
      this.#flush = undefined;
      if (isTerminal(record.status)) return;
      record.inputRequests = {};
      if (outcome.kind === "error") {
        record.status = "failed";
        record.error = outcome.error;
      } else {
        const bytes = new TextEncoder().encode(JSON.stringify(outcome.result)).byteLength;
        if (bytes > MAX_TASK_RESULT_BYTES) {
          record.status = "failed";
          record.error = failure(`The tool's result is ${bytes} bytes; a task keeps at most ${MAX_TASK_RESULT_BYTES}`).error;
        } else {
          record.status = "completed";
          record.result = outcome.result;
        }
      }
      await this.#changed(record);
    }

    /** A question of the handler: answered from the answers the task already has, or asked of the client. */
    #ask(record: TaskRecord, question: JSONRPCRequest, index: number): Promise<JSONRPCMessage> {
      const { key, request } = keyedQuestion(question, index);
      const known = record.answers[key];
      if (known?.method === question.method) return Promise.resolve({ jsonrpc: "2.0", id: question.id, result: known.result });
      if (isTerminal(record.status))
        return Promise.resolve(errorResponse(question.id, ErrorCode.InternalError, "The task ended"));
      record.inputRequests[key] = request;
      record.status = "input_required";
      void this.#changed(record);
      return new Promise((resolve) => this.#waiting.set(key, { questionId: question.id, resolve }));
    }

    /** Hands the handler waiting on question `key` its reply; the question is no longer pending. */
    #reply(record: TaskRecord, key: string, reply: { result: Record<string, unknown> } | { error: TaskError }): void {
      delete record.inputRequests[key];
      const waiting = this.#waiting.get(key);
      this.#waiting.delete(key);
      waiting?.resolve({ jsonrpc: "2.0", id: waiting.questionId, ...reply });
    }

    async #questionsChanged(record: TaskRecord): Promise<void> {
      if (Object.keys(record.inputRequests).length === 0) record.status = "working";
      await this.#changed(record);
      await this.#noticeLostRun(record);
    }

    /** The handler stopped waiting for a question (its own timeout): the client is no longer asked. */
    async #withdraw(record: TaskRecord, questionId: JSONRPCRequest["id"]): Promise<void> {
      const key = [...this.#waiting].find(([, waiting]) => waiting.questionId === questionId)?.[0];
      if (key === undefined || isTerminal(record.status)) return;
      this.#waiting.delete(key);
      delete record.inputRequests[key];
      await this.#questionsChanged(record);
    }

    #progress(record: TaskRecord, message: string): void {
      if (isTerminal(record.status)) return;
      record.statusMessage = message;
      record.lastUpdatedAt = Date.now();
      this.#flush ??= setTimeout(() => {
        this.#flush = undefined;
        if (!isTerminal(record.status)) void this.#changed(record);
      }, PROGRESS_FLUSH_MS);
    }

    /** Answers every question still waiting with an error, so a handler that ignores its signal does not wait forever. */
    #abandonQuestions(reason: string): void {
      for (const { questionId, resolve } of this.#waiting.values())
        resolve(errorResponse(questionId, ErrorCode.InternalError, reason));
      this.#waiting.clear();
    }

    /**
     * A task that should be running but has no run here, and no alarm to start one: the run was
     * cut off and the platform will not run the alarm again. The alarm decides what follows.
     */
    async #noticeLostRun(record: TaskRecord): Promise<void> {
      if (isTerminal(record.status) || this.#run) return;
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
    }

    #visible(owner: TaskOwner): TaskRecord | undefined {
      const record = this.#record;
      if (!record || !ownedBy(record, owner)) return undefined;
      return Date.now() < record.createdAt + record.ttlMs ? record : undefined;
    }

    async #changed(record: TaskRecord): Promise<void> {
      record.lastUpdatedAt = Date.now();
      await this.#save();
      this.#wakeWatchers();
      await runtime
        .announce(this.env, viewOf(record), record)
        .catch((error) => logError("Announcing a task's status failed", { reason: errorMessage(error) }));
    }

    async #save(): Promise<void> {
      if (this.#record) await this.ctx.storage.put(RECORD_KEY, this.#record);
    }

    async #expireLater(record: TaskRecord): Promise<void> {
      await this.ctx.storage.setAlarm(record.createdAt + record.ttlMs);
    }

    /** Every `next` waiting ends now: each removes itself from the set as it wakes. */
    #wakeWatchers(): void {
      for (const wake of [...this.#watchers]) wake();
    }

    async #delete(): Promise<void> {
      this.#record = undefined;
      this.#wakeWatchers();
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
    }
  };
}

function failure(message: string): { kind: "error"; error: TaskError } {
  return { kind: "error", error: { code: ErrorCode.InternalError, message } };
}
