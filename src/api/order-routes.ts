import type { FastifyPluginCallback } from "fastify";
import { parseRequest } from "./parse-request.ts";
import { cancelAllBody, emptyBody, orderQuery } from "./request-schemas.ts";
import { type CommandRoutesOptions, runCommand } from "./run-command.ts";

interface OrderParams {
  readonly clientOrderId: string;
}

/** Cancels are asynchronous: the command is on the bus, the venue's answer comes later. */
const ACCEPTED = 202;

/**
 * Registers the order routes: GET /api/orders?strategyId=&instrumentId= (open orders), GET
 * /api/orders/:clientOrderId, POST /api/orders/:clientOrderId/cancel and POST /api/orders/cancel-all
 * (body: optional {strategyId, instrumentId}). Cancels go on the bus as CancelOrder commands.
 */
export const orderRoutes: FastifyPluginCallback<CommandRoutesOptions> = (app, options, done) => {
  const orders = options.commands.orders;

  app.get("/api/orders", (request) => ({
    orders: orders.open(parseRequest(orderQuery, request.query, "query")),
  }));
  app.get<{ Params: OrderParams }>("/api/orders/:clientOrderId", (request) =>
    orders.get(request.params.clientOrderId),
  );

  app.post("/api/orders/cancel-all", (request, reply) =>
    runCommand(options, request, reply, { command: "order.cancel-all", successStatus: ACCEPTED }, (input) => {
      const filter = parseRequest(cancelAllBody, request.body, "body");
      input(filter);
      return orders.cancelAll(filter);
    }),
  );

  app.post<{ Params: OrderParams }>("/api/orders/:clientOrderId/cancel", (request, reply) =>
    runCommand(
      options,
      request,
      reply,
      { command: "order.cancel", target: request.params.clientOrderId, successStatus: ACCEPTED },
      () => {
        parseRequest(emptyBody, request.body, "body");
        return orders.cancel(request.params.clientOrderId);
      },
    ),
  );
  done();
};
