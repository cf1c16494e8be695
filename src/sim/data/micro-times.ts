/**
 * Returns a copy of a stream payload with its times in microseconds (`timeUnit=MICROSECOND`): the
 * event time `E`, the trade time `T` and the kline's `t`/`T` (`T` becomes the last microsecond). Other fields are shared, not copied.
 */
export function withMicroTimes(payload: object): object {
  const p = payload as Record<string, unknown>;
  const out: Record<string, unknown> = { ...p };
  if (typeof p["E"] === "number") out["E"] = p["E"] * 1000;
  if (typeof p["T"] === "number") out["T"] = p["T"] * 1000;
  const k = p["k"];
  if (k !== null && typeof k === "object") {
    const kline = k as Record<string, unknown>;
    out["k"] = {
      ...kline,
      ...(typeof kline["t"] === "number" ? { t: kline["t"] * 1000 } : {}),
      // The close time is the kline's last ms; in microseconds its last microsecond.
      ...(typeof kline["T"] === "number" ? { T: kline["T"] * 1000 + 999 } : {}),
    };
  }
  return out;
}
