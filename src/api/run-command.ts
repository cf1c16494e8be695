import type { FastifyReply, FastifyRequest } from "fastify";
import { actorOf, type CommandAuth } from "./command-auth.ts";
import type { ApiCommands, Awaitable, CommandAuditEntry } from "./command-facade.ts";
import { errorReply } from "./error-reply.ts";

/** What every operator route plugin is given. */
export interface CommandRoutesOptions {
  readonly commands: ApiCommands;
  readonly auth: CommandAuth;
}

/** Names a command for the audit log. */
export interface CommandSpec {
  /** "strategy.pause", "order.cancel", ... */
  readonly command: string;
  /** The strategy or order it acts on. */
  readonly target?: string | undefined;
  /** The status of a success (default 200; 202 when the outcome comes later, like a cancel). */
  readonly successStatus?: number;
}

/**
 * Runs one command and writes its audit entry (who, what, validated input, outcome), whether it
 * succeeded, was refused (4xx) or failed (5xx); errors go on to the error handler. `work` calls
 * `input` with the validated body so the entry shows what was asked. Never logs a header.
 */
export async function runCommand<T>(
  options: CommandRoutesOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  spec: CommandSpec,
  work: (input: (validated: unknown) => void) => Awaitable<T>,
): Promise<T> {
  let input: unknown;
  const base = {
    command: spec.command,
    ...(spec.target === undefined ? {} : { target: spec.target }),
    actor: actorOf(options.auth, request),
  };
  try {
    const result = await work((validated) => {
      input = validated;
    });
    const statusCode = spec.successStatus ?? 200;
    audit(options, request, { ...base, input, outcome: "ok", statusCode });
    reply.code(statusCode);
    return result;
  } catch (thrown) {
    const { statusCode, body } = errorReply(thrown);
    audit(options, request, {
      ...base,
      input,
      outcome: statusCode < 500 ? "rejected" : "failed",
      statusCode,
      error: body.error,
    });
    throw thrown;
  }
}

/** Writes an audit entry; a failing audit sink is logged, never turned into a failed command. */
export function audit(
  options: CommandRoutesOptions,
  request: FastifyRequest,
  entry: CommandAuditEntry,
): void {
  try {
    options.commands.audit(entry);
  } catch (thrown) {
    request.log.error({ err: thrown, command: entry.command }, "command audit failed");
  }
}
