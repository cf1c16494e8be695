export { type Handler, MessageBus, type TopicStats, type Unsubscribe } from "./message-bus.ts";
export { type RiskEventMsg, Topic, type TopicMessages } from "./topics.ts";
