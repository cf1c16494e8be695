export { ApiErrorCode } from "./api-error-code.ts";
export type { ApiFacade, HealthCheck, HealthReport } from "./api-facade.ts";
export { type ApiServer, type ApiServerOptions, buildApiServer } from "./api-server.ts";
export { type ErrorBody, type ErrorReply, errorReply } from "./error-reply.ts";
export { PROMETHEUS_CONTENT_TYPE } from "./metrics-routes.ts";
