import { createApp } from "./app";
export { TaskObject } from "./durable/task";
export { HubObject } from "./durable/hub";
export { AccountObject } from "./durable/account";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
