/** Base URLs of the Chaoxing hosts; from configuration so the same client talks to Chaoxing or the simulator. */
export interface UpstreamUrls {
  passport: string;
  mooc2: string;
  mooc1: string;
  mooc1Api: string;
}

export interface UpstreamUrlEnv {
  CX_PASSPORT_URL: string;
  CX_MOOC2_URL: string;
  CX_MOOC1_URL: string;
  CX_MOOC1_API_URL: string;
}

const trimSlash = (u: string): string => u.replace(/\/+$/, "");

export function upstreamUrlsFromEnv(env: UpstreamUrlEnv): UpstreamUrls {
  return {
    passport: trimSlash(env.CX_PASSPORT_URL),
    mooc2: trimSlash(env.CX_MOOC2_URL),
    mooc1: trimSlash(env.CX_MOOC1_URL),
    mooc1Api: trimSlash(env.CX_MOOC1_API_URL),
  };
}

/** All four hosts at one origin: how the simulator is reached. */
export function upstreamUrlsAt(origin: string): UpstreamUrls {
  const o = trimSlash(origin);
  return { passport: o, mooc2: o, mooc1: o, mooc1Api: o };
}
