import type { FastifyPluginCallback } from "fastify";
import { DesError, ErrorCode } from "../core/index.ts";
import type { DatabaseCommands } from "./command-facade.ts";
import { parseRequest } from "./parse-request.ts";
import { switchPrimaryBody } from "./request-schemas.ts";
import { type CommandRoutesOptions, runCommand } from "./run-command.ts";

const NO_STORE = "this process has no database to show or switch";

/**
 * Registers the database routes: GET /api/db (the primary, the dual-write secondary and its
 * counters) and POST /api/db/switch-primary (swap primary and secondary while DES runs; the same
 * call again rolls back). A refused switch is a 409 naming why; nothing changed.
 */
export const databaseRoutes: FastifyPluginCallback<CommandRoutesOptions> = (app, options, done) => {
  const database = (): DatabaseCommands => {
    const d = options.commands.database;
    if (d === undefined) throw new DesError(ErrorCode.NotFound, NO_STORE);
    return d;
  };

  app.get("/api/db", () => database().view());

  app.post("/api/db/switch-primary", (request, reply) =>
    runCommand(options, request, reply, { command: "db.switch-primary" }, (input) => {
      const body = parseRequest(switchPrimaryBody, request.body, "body");
      input(body);
      return database().switchPrimary(body);
    }),
  );
  done();
};
