import { type MessageBus, Topic } from "../bus/index.ts";
import type { Bar, MarketEvent, QuoteTick, TradeTick } from "../model/index.ts";

/** Where a feed delivers market events: straight onto the bus, or into a MarketDataEngine. */
export interface MarketDataSink {
  onBar(bar: Bar): void;
  onTrade(trade: TradeTick): void;
  onQuote(quote: QuoteTick): void;
}

/** Returns a sink that publishes each event on its bus topic unchanged. */
export function busSink(bus: MessageBus): MarketDataSink {
  return {
    onBar: (bar) => bus.publish(Topic.Bar, bar),
    onTrade: (trade) => bus.publish(Topic.Trade, trade),
    onQuote: (quote) => bus.publish(Topic.Quote, quote),
  };
}

/** Delivers one event to the sink method of its kind. */
export function deliverMarketEvent(sink: MarketDataSink, event: MarketEvent): void {
  switch (event.kind) {
    case "bar":
      sink.onBar(event);
      break;
    case "trade":
      sink.onTrade(event);
      break;
    case "quote":
      sink.onQuote(event);
      break;
  }
}
