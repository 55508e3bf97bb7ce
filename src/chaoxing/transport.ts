/** Every Chaoxing request goes through a Transport, so tests and dev can swap the network out. */
export interface Transport {
  fetch(req: Request): Promise<Response>;
}

/** The real network. Redirects are signals (login page, captcha, face check), so never follow them. */
export const directTransport: Transport = {
  fetch: (req) => fetch(req, { redirect: "manual" }),
};

let override: Transport | null = null;

/** Test/dev hook: route all Chaoxing traffic of this isolate through `t` (null restores the network). */
export function setTransportOverride(t: Transport | null): void {
  override = t;
}

export function getTransport(): Transport {
  return override ?? directTransport;
}
