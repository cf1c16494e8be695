import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from "fastify";
import type { Awaitable, StrategyCommands } from "./command-facade.ts";
import { parseRequest } from "./parse-request.ts";
import { lifecycleBody, paramsBody } from "./request-schemas.ts";
import { type CommandRoutesOptions, runCommand } from "./run-command.ts";

interface IdParams {
  readonly id: string;
}

type Lifecycle = (strategies: StrategyCommands, id: string, reason: string | undefined) => Awaitable<unknown>;

const LIFECYCLE: Readonly<Record<string, Lifecycle>> = {
  pause: (s, id, reason) => s.pause(id, reason ?? "paused by operator"),
  resume: (s, id) => s.resume(id),
  stop: (s, id, reason) => s.stop(id, reason ?? "stopped by operator"),
  panic: (s, id) => s.panic(id),
};

/**
 * Registers the strategy routes: GET /api/strategies and /api/strategies/:id, POST
 * /api/strategies/:id/pause | resume | stop | panic (body: optional {reason}) and PUT
 * /api/strategies/:id/params (body: the whole parameter object).
 */
export const strategyRoutes: FastifyPluginCallback<CommandRoutesOptions> = (app, options, done) => {
  const strategies = options.commands.strategies;

  app.get("/api/strategies", () => ({ strategies: strategies.list() }));
  app.get<{ Params: IdParams }>("/api/strategies/:id", (request) => strategies.get(request.params.id));

  for (const [action, run] of Object.entries(LIFECYCLE)) {
    app.post<{ Params: IdParams }>(
      `/api/strategies/:id/${action}`,
      (request: FastifyRequest<{ Params: IdParams }>, reply: FastifyReply) =>
        runCommand(
          options,
          request,
          reply,
          { command: `strategy.${action}`, target: request.params.id },
          (input) => {
            const body = parseRequest(lifecycleBody, request.body, "body");
            input(body);
            return run(strategies, request.params.id, body.reason);
          },
        ),
    );
  }

  app.put<{ Params: IdParams }>("/api/strategies/:id/params", (request, reply) =>
    runCommand(
      options,
      request,
      reply,
      { command: "strategy.params", target: request.params.id },
      (input) => {
        const body = parseRequest(paramsBody, request.body, "body");
        input(body);
        return strategies.updateParams(request.params.id, body);
      },
    ),
  );
  done();
};
