export { type MatchedPrice, matchPrice } from "./match-price.ts";
export { PaperBalances } from "./paper-balances.ts";
export { PaperVenue, type PaperVenueConfig, type PaperVenueStats } from "./paper-venue.ts";
export { type InstrumentBook, type PaperOrder, RestingOrders } from "./resting-orders.ts";
