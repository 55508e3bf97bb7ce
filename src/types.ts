import type { AuthContext } from "./auth/tokens";

export interface AppEnv {
  Bindings: Env;
  Variables: { auth: AuthContext; requestId: string };
}
