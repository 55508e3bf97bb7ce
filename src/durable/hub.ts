import { DurableObject } from "cloudflare:workers";
import { clock } from "../lib/clock";

export class HubObject extends DurableObject<Env> {
  async now(): Promise<number> {
    return clock.now();
  }
}
