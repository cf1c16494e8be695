export { ApiErrorCode } from "./api-error-code.ts";
export type { ApiFacade, HealthCheck, HealthReport } from "./api-facade.ts";
export { type ApiServer, type ApiServerOptions, buildApiServer } from "./api-server.ts";
export { checkCommandAccess, isLoopbackHost, MIN_API_TOKEN_LENGTH } from "./command-auth.ts";
export type {
  ApiCommands,
  Awaitable,
  CommandActor,
  CommandAuditEntry,
  DatabaseCommands,
  OrderCommands,
  PortfolioQueries,
  RiskCommands,
  StrategyCommands,
} from "./command-facade.ts";
export type {
  BookJson,
  CancelAllResult,
  CancelResult,
  DailyCountersView,
  DatabaseName,
  DatabaseView,
  DeadLettersView,
  DeadLetterView,
  DualWriteView,
  JsonObject,
  JsonValue,
  OrderFilter,
  OrderView,
  PanicResult,
  PortfolioView,
  PositionJson,
  RequeueResult,
  RiskConfigReplaced,
  RiskView,
  StrategyCommandResult,
  StrategyStatsView,
  StrategyView,
  SwitchPrimaryRequest,
  SwitchPrimaryResult,
  TradingStateChange,
  TradingStateName,
  TradingStateRequest,
  VenueBalanceView,
} from "./command-views.ts";
export { type ErrorBody, type ErrorReply, errorReply } from "./error-reply.ts";
export { PROMETHEUS_CONTENT_TYPE } from "./metrics-routes.ts";
