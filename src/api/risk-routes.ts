import type { FastifyPluginCallback } from "fastify";
import { DesError, ErrorCode } from "../core/index.ts";
import type { RiskCommands } from "./command-facade.ts";
import { parseRequest } from "./parse-request.ts";
import { riskConfigBody, tradingStateBody } from "./request-schemas.ts";
import { type CommandRoutesOptions, runCommand } from "./run-command.ts";

const NOT_CONFIGURED =
  "risk is not configured (DES_RISK_FILE is not set): there is no kill switch or limit to show or change";

/**
 * Registers the risk routes: GET /api/risk (kill switch, daily counters, config, denials), POST
 * /api/risk/trading-state (the kill switch) and PUT /api/risk/config (replace the limits at runtime).
 * Without a risk engine each answers 404 saying so.
 */
export const riskRoutes: FastifyPluginCallback<CommandRoutesOptions> = (app, options, done) => {
  const risk = (): RiskCommands => {
    const r = options.commands.risk;
    if (r === undefined) throw new DesError(ErrorCode.NotFound, NOT_CONFIGURED);
    return r;
  };

  app.get("/api/risk", () => risk().view());

  app.post("/api/risk/trading-state", (request, reply) =>
    runCommand(options, request, reply, { command: "risk.trading-state" }, (input) => {
      const body = parseRequest(tradingStateBody, request.body, "body");
      input(body);
      return risk().setTradingState(body);
    }),
  );

  app.put("/api/risk/config", (request, reply) =>
    runCommand(options, request, reply, { command: "risk.config" }, (input) => {
      const body = parseRequest(riskConfigBody, request.body, "body");
      input(body);
      return risk().replaceConfig(body);
    }),
  );
  done();
};
