import type { FastifyPluginCallback } from "fastify";
import type { CommandRoutesOptions } from "./run-command.ts";

/**
 * Registers GET /api/portfolio (per account and per strategy: positions, PnL, fees, exposure,
 * balances) and GET /api/portfolio/balances (the venue's free and locked balances, asked of the venue).
 */
export const portfolioRoutes: FastifyPluginCallback<CommandRoutesOptions> = (app, options, done) => {
  const portfolio = options.commands.portfolio;
  app.get("/api/portfolio", () => portfolio.view());
  app.get("/api/portfolio/balances", async () => ({ balances: await portfolio.venueBalances() }));
  done();
};
