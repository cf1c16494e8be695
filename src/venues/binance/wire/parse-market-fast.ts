import type { InstrumentId, UnixMicros } from "../../../core/index.ts";
import type { Bar, QuoteTick, TradeTick } from "../../../model/index.ts";
import { buildKlineBar, buildTradeTick } from "./market-event-builders.ts";
import { parseMarketDecimalRange } from "./parse-market-decimal.ts";
import { isWireId, isWireTimeMs } from "./parse-market-fields.ts";
import { parseMarketInterval } from "./parse-market-interval.ts";
import { parseMarketSymbol } from "./parse-market-symbol.ts";

/*
 * A single-pass scanner for the frames that make up nearly all market-data traffic: combined-stream
 * trade, aggTrade, bookTicker and kline events. It checks the JSON grammar of the whole frame as it
 * goes but builds no object: it notes where each one-letter key's value lies and reads prices
 * straight from the text, about twice as fast as JSON.parse plus field reads. Anything else (other
 * events, control answers, arrays, escapes in strings, repeated keys: any doubt at all) returns
 * undefined and the frame goes through JSON.parse (parseMarketFrameJson), which also produces every
 * error value. A differential fuzz test checks that whatever this accepts, the JSON.parse path
 * accepts with an equal result.
 */

const T_NONE = 0;
const T_STR = 1;
const T_NUM = 2;
const T_TRUE = 3;
const T_FALSE = 4;
const T_NULL = 5;
const T_OBJ = 6;

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const D0 = 48;
const D1 = 49;
const D9 = 57;
const LBRACE = 123;
const RBRACE = 125;
const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const LOWER_E = 101;
const UPPER_E = 69;
const LOWER_T = 116;
const LOWER_F = 102;
const LOWER_N = 110;

// One-letter keys of the payloads read here.
const K_e = 101;
const K_E = 69;
const K_s = 115;
const K_t = 116;
const K_T = 84;
const K_p = 112;
const K_q = 113;
const K_m = 109;
const K_a = 97;
const K_A = 65;
const K_b = 98;
const K_B = 66;
const K_u = 117;
const K_k = 107;
const K_i = 105;
const K_o = 111;
const K_c = 99;
const K_h = 104;
const K_l = 108;
const K_v = 118;
const K_n = 110;
const K_x = 120;

/** Where the values of one object's one-letter keys lie in the text: type, range, number. */
class Slots {
  readonly type = new Uint8Array(128);
  readonly start = new Int32Array(128);
  readonly end = new Int32Array(128);
  readonly num = new Float64Array(128);
  readonly touched = new Uint8Array(128);
  count = 0;

  reset(): void {
    for (let i = 0; i < this.count; i++) this.type[this.touched[i]!] = T_NONE;
    this.count = 0;
  }
}

const DATA = new Slots();
const KLINE = new Slots();

/** Returns the index of the first non-whitespace character at or after i (reads stay in bounds: an out-of-bounds charCodeAt makes V8 deoptimise). */
function skipWs(s: string, i: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) return i;
    i++;
  }
  return n;
}

/** Returns the index of the quote closing the string whose first character is at i; -1 on an escape or a control character (JSON.parse decides those). */
function stringEnd(s: string, i: number): number {
  const n = s.length;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < SPACE) return -1;
  }
  return -1;
}

/** Returns the index after the JSON number at i, or -1 when it does not follow the JSON grammar. */
function numberEnd(s: string, i: number): number {
  let c = s.charCodeAt(i);
  if (c === MINUS) c = s.charCodeAt(++i);
  if (c === D0) {
    c = s.charCodeAt(++i);
  } else if (c >= D1 && c <= D9) {
    do c = s.charCodeAt(++i);
    while (c >= D0 && c <= D9);
  } else {
    return -1;
  }
  if (c === DOT) {
    c = s.charCodeAt(++i);
    if (!(c >= D0 && c <= D9)) return -1;
    do c = s.charCodeAt(++i);
    while (c >= D0 && c <= D9);
  }
  if (c === LOWER_E || c === UPPER_E) {
    c = s.charCodeAt(++i);
    if (c === PLUS || c === MINUS) c = s.charCodeAt(++i);
    if (!(c >= D0 && c <= D9)) return -1;
    do c = s.charCodeAt(++i);
    while (c >= D0 && c <= D9);
  }
  return i;
}

/** Returns the value of the JSON number in s[start, end): exact digits up to 15, else as JSON.parse converts it. */
function numberValue(s: string, start: number, end: number): number {
  if (end - start > 15) return Number(s.slice(start, end));
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - D0;
    if (d < 0 || d > 9) return Number(s.slice(start, end));
    v = v * 10 + d;
  }
  return v;
}

/**
 * Scans the object whose `{` is at i, noting each one-letter key's value in `slots`. Values may be
 * strings, numbers, true, false, null, and (only where `nested` is given) a `k` object. Returns the
 * index after the closing `}`, or -1 for anything else: arrays, other objects, repeated keys (JSON.parse
 * keeps the last value; leave those frames to it).
 */
function scanObject(s: string, i: number, slots: Slots, nested: Slots | undefined): number {
  i = skipWs(s, i + 1);
  if (s.charCodeAt(i) === RBRACE) return i + 1;
  for (;;) {
    if (s.charCodeAt(i) !== QUOTE) return -1;
    const keyEnd = stringEnd(s, i + 1);
    if (keyEnd < 0) return -1;
    const code = keyEnd - i === 2 ? s.charCodeAt(i + 1) : 128;
    i = skipWs(s, keyEnd + 1);
    if (s.charCodeAt(i) !== COLON) return -1;
    i = skipWs(s, i + 1);
    const c = s.charCodeAt(i);
    let type: number;
    let start = i;
    let end: number;
    if (c === QUOTE) {
      start = i + 1;
      end = stringEnd(s, start);
      if (end < 0) return -1;
      i = end + 1;
      type = T_STR;
    } else if (c === MINUS || (c >= D0 && c <= D9)) {
      end = numberEnd(s, i);
      if (end < 0) return -1;
      i = end;
      type = T_NUM;
    } else if (c === LOWER_T) {
      if (!s.startsWith("true", i)) return -1;
      i += 4;
      end = i;
      type = T_TRUE;
    } else if (c === LOWER_F) {
      if (!s.startsWith("false", i)) return -1;
      i += 5;
      end = i;
      type = T_FALSE;
    } else if (c === LOWER_N) {
      if (!s.startsWith("null", i)) return -1;
      i += 4;
      end = i;
      type = T_NULL;
    } else if (c === LBRACE && code === K_k && nested !== undefined) {
      end = scanObject(s, i, nested, undefined);
      if (end < 0) return -1;
      i = end;
      type = T_OBJ;
    } else {
      return -1;
    }
    if (code < 128) {
      if (slots.type[code] !== T_NONE) return -1;
      slots.touched[slots.count++] = code;
      slots.type[code] = type;
      slots.start[code] = start;
      slots.end[code] = end;
      if (type === T_NUM) slots.num[code] = numberValue(s, start, end);
    }
    i = skipWs(s, i);
    const next = s.charCodeAt(i);
    if (next === RBRACE) return i + 1;
    if (next !== COMMA) return -1;
    i = skipWs(s, i + 1);
  }
}

/** The frame being interpreted (set once its grammar has been checked). */
let src = "";

function isKey(start: number, end: number, key: string): boolean {
  return end - start === key.length && src.startsWith(key, start);
}

function symbolOf(slots: Slots, code: number): InstrumentId | undefined {
  return slots.type[code] === T_STR
    ? parseMarketSymbol(src.slice(slots.start[code]!, slots.end[code]!))
    : undefined;
}

function decimalOf(slots: Slots, code: number) {
  return slots.type[code] === T_STR
    ? parseMarketDecimalRange(src, slots.start[code]!, slots.end[code]!)
    : undefined;
}

function timeOf(slots: Slots, code: number): number | undefined {
  const v = slots.num[code]!;
  return slots.type[code] === T_NUM && isWireTimeMs(v) ? v : undefined;
}

function flagOf(slots: Slots, code: number): boolean | undefined {
  const t = slots.type[code];
  return t === T_TRUE ? true : t === T_FALSE ? false : undefined;
}

function trade(aggregate: boolean, receivedAt: UnixMicros): TradeTick | undefined {
  const d = DATA;
  const instrument = symbolOf(d, K_s);
  if (instrument === undefined) return undefined;
  const idKey = aggregate ? K_a : K_t;
  const id = d.num[idKey]!;
  if (d.type[idKey] !== T_NUM || !isWireId(id)) return undefined;
  const price = decimalOf(d, K_p);
  if (price === undefined || price.units <= 0n) return undefined;
  const quantity = decimalOf(d, K_q);
  if (quantity === undefined || quantity.units <= 0n) return undefined;
  const time = timeOf(d, K_T);
  const maker = flagOf(d, K_m);
  if (time === undefined || maker === undefined || timeOf(d, K_E) === undefined) return undefined;
  return buildTradeTick(instrument, id, price, quantity, maker, time, receivedAt);
}

function bookTicker(receivedAt: UnixMicros): QuoteTick | undefined {
  const d = DATA;
  const instrument = symbolOf(d, K_s);
  if (instrument === undefined || d.type[K_u] !== T_NUM || !isWireId(d.num[K_u]!)) return undefined;
  const bid = decimalOf(d, K_b);
  const bidSize = decimalOf(d, K_B);
  const ask = decimalOf(d, K_a);
  const askSize = decimalOf(d, K_A);
  if (bid === undefined || bidSize === undefined || ask === undefined || askSize === undefined)
    return undefined;
  let eventTime = receivedAt;
  if (d.type[K_E] !== T_NONE) {
    const e = timeOf(d, K_E);
    if (e === undefined) return undefined;
    eventTime = (e * 1000) as UnixMicros;
  }
  return { kind: "quote", instrumentId: instrument, bid, bidSize, ask, askSize, eventTime, receivedAt };
}

function kline(receivedAt: UnixMicros): Bar | undefined {
  const d = DATA;
  const k = KLINE;
  const instrument = symbolOf(d, K_s);
  if (instrument === undefined || timeOf(d, K_E) === undefined || d.type[K_k] !== T_OBJ) return undefined;
  if (k.type[K_s] !== T_STR || !isKey(k.start[K_s]!, k.end[K_s]!, instrument)) return undefined;
  const interval =
    k.type[K_i] === T_STR ? parseMarketInterval(src.slice(k.start[K_i]!, k.end[K_i]!)) : undefined;
  const openTime = timeOf(k, K_t);
  const closeTime = timeOf(k, K_T);
  if (interval === undefined || openTime === undefined || closeTime === undefined || closeTime <= openTime) {
    return undefined;
  }
  const open = decimalOf(k, K_o);
  const high = decimalOf(k, K_h);
  const low = decimalOf(k, K_l);
  const close = decimalOf(k, K_c);
  const volume = decimalOf(k, K_v);
  const quoteVolume = decimalOf(k, K_q);
  const tradeCount = k.num[K_n]!;
  const closed = flagOf(k, K_x);
  if (
    open === undefined ||
    high === undefined ||
    low === undefined ||
    close === undefined ||
    volume === undefined ||
    quoteVolume === undefined ||
    k.type[K_n] !== T_NUM ||
    !isWireId(tradeCount) ||
    closed === undefined
  ) {
    return undefined;
  }
  return buildKlineBar(
    instrument,
    interval,
    openTime,
    closeTime,
    open,
    high,
    low,
    close,
    volume,
    quoteVolume,
    tradeCount,
    closed,
    receivedAt,
  );
}

/**
 * Parses a combined-stream trade, aggTrade, bookTicker or kline frame without JSON.parse, or returns
 * undefined for anything else or anything doubtful (the caller then uses the JSON.parse path).
 */
export function parseMarketFrameFast(
  text: string,
  receivedAtMicros: number,
): TradeTick | QuoteTick | Bar | undefined {
  DATA.reset();
  KLINE.reset();
  const s = text;
  let i = skipWs(s, 0);
  if (s.charCodeAt(i) !== LBRACE) return undefined;
  i = skipWs(s, i + 1);
  let sawStream = false;
  let sawData = false;
  for (;;) {
    if (s.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = stringEnd(s, i + 1);
    if (keyEnd < 0) return undefined;
    const keyLength = keyEnd - i - 1;
    const isStream = keyLength === 6 && s.startsWith("stream", i + 1);
    const isData = keyLength === 4 && s.startsWith("data", i + 1);
    i = skipWs(s, keyEnd + 1);
    if (s.charCodeAt(i) !== COLON) return undefined;
    i = skipWs(s, i + 1);
    if (isStream && !sawStream && s.charCodeAt(i) === QUOTE) {
      const end = stringEnd(s, i + 1);
      if (end < 0) return undefined;
      i = end + 1;
      sawStream = true;
    } else if (isData && !sawData && s.charCodeAt(i) === LBRACE) {
      i = scanObject(s, i, DATA, KLINE);
      if (i < 0) return undefined;
      sawData = true;
    } else {
      return undefined;
    }
    i = skipWs(s, i);
    const next = s.charCodeAt(i++);
    if (next === RBRACE) break;
    if (next !== COMMA) return undefined;
    i = skipWs(s, i);
  }
  if (skipWs(s, i) !== s.length || !sawStream || !sawData) return undefined;
  src = s;
  const receivedAt = receivedAtMicros as UnixMicros;
  const e = DATA.type[K_e];
  if (e === T_NONE) {
    return DATA.type[K_u] !== T_NONE && DATA.type[K_b] !== T_NONE ? bookTicker(receivedAt) : undefined;
  }
  if (e !== T_STR) return undefined;
  const es = DATA.start[K_e]!;
  const ee = DATA.end[K_e]!;
  if (isKey(es, ee, "trade")) return trade(false, receivedAt);
  if (isKey(es, ee, "aggTrade")) return trade(true, receivedAt);
  if (isKey(es, ee, "kline")) return kline(receivedAt);
  return undefined;
}
