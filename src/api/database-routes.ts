import type { FastifyPluginCallback } from "fastify";
import { DesError, ErrorCode } from "../core/index.ts";
import type { DatabaseCommands } from "./command-facade.ts";
import { parseRequest } from "./parse-request.ts";
import { emptyBody, switchPrimaryBody } from "./request-schemas.ts";
import { type CommandRoutesOptions, runCommand } from "./run-command.ts";

const NO_STORE = "this process has no database to show or switch";

/**
 * Registers the database routes: GET /api/db (the primary, the dual-write secondary and its
 * counters) and POST /api/db/switch-primary (swap primary and secondary while DES runs; the same
 * call again rolls back), GET /api/db/dead-letters (rows the database refused for good) and POST
 * /api/db/dead-letters/requeue (write them again once the cause is fixed). A refused switch is a
 * 409 naming why; nothing changed.
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
  app.get("/api/db/dead-letters", () => database().deadLetters());

  app.post("/api/db/dead-letters/requeue", (request, reply) =>
    runCommand(options, request, reply, { command: "db.dead-letters.requeue" }, (input) => {
      input(parseRequest(emptyBody, request.body, "body"));
      return database().requeueDeadLetters();
    }),
  );
  done();
};
