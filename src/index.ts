import { createApp } from "./app";
export { TaskObject } from "./durable/task";
export { HubObject } from "./durable/hub";
export { AccountObject } from "./durable/account";
export { RelayObject } from "./durable/relay";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
