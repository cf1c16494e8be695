/** The matching engine's rejection and expiry reasons, in Binance's words where Binance has them. */
export const MatchingReason = {
  Duplicate: "Duplicate order sent.",
  UnknownOrder: "Unknown order sent.",
  InvalidSymbol: "Invalid symbol.",
  MarketClosed: "Market is closed.",
  InvalidSide: "Invalid side.",
  InvalidOrderType: "Invalid orderType.",
  InvalidTimeInForce: "Invalid timeInForce.",
  UnsupportedCombination: "Unsupported order combination",
  MissingPrice: "Mandatory parameter 'price' was not sent, was empty/null, or malformed.",
  MissingStopPrice: "Mandatory parameter 'stopPrice' was not sent, was empty/null, or malformed.",
  InsufficientBalance: "Account has insufficient balance for requested action.",
  WouldTriggerImmediately: "Order would trigger immediately.",
  WouldMatchAndTake: "Order would immediately match and take.",
  IocExpired: "The IOC order was not fully filled and thus expired.",
  FokExpired: "The FOK order was not fully filled and thus expired.",
} as const;
