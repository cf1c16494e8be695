/**
 * The risk configuration of the order-path benches: every limit set, wide enough for their rates, so
 * each check runs. The rate windows keep one slot per allowed order: realistic limits, not
 * "unlimited" ones.
 */
export function benchRiskConfig() {
  return {
    global: {
      minOrderNotional: "10",
      maxOrderNotional: "100000",
      maxPosition: "10",
      maxExposure: "10000000",
      maxDailyTrades: 10_000_000,
      maxDailyLoss: "10000000",
      maxOrdersPerSecond: 200_000,
      maxOrdersPerMinute: 2_000_000,
    },
    account: { maxExposure: "100000000", maxDailyLoss: "100000000" },
  };
}
