import type { SimHost } from "./hosts";
import type { SimAccount } from "./state";

/** What each request carries through the simulator's handlers (platform.ts, login.ts): its host, account and session. */
export type SimEnv = {
  Variables: {
    account: SimAccount | null;
    host: SimHost;
    /** this host's JSESSIONID for the request (the one sent, or the one just issued) */
    jsession: string;
    jsessionSent: "own" | "foreign" | "none";
  };
};
