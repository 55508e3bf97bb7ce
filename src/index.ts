import { createApp } from "./app";
import { consumeNotifications } from "./notify/consume";
export { TaskObject } from "./durable/task";
export { HubObject } from "./durable/hub";
export { AccountObject } from "./durable/account";
export { PhoneObject } from "./durable/phone";
export { RelayObject } from "./durable/relay";

const app = createApp();

export default {
  fetch: app.fetch,
  // Notification events and their dead letters (README "Notifications"; wrangler.toml [[queues.consumers]]).
  queue: (batch, env) => consumeNotifications(batch, env),
} satisfies ExportedHandler<Env>;
