/** Shown in the dashboard's relay list and sent at pairing and on every connection. */
export const RELAY_VERSION = "1.2.0";
/** The oldest Node.js the agent runs on (`parseArgs` came in 18.3); installers check the same. */
export const MIN_NODE = "18.3.0";
/** The Node.js line installers put in place when none suitable is there: an LTS line still supported. */
export const NODE_LTS = "22";

/**
 * Exit codes a supervisor can act on (systemd `RestartPreventExitStatus=64 77`, the installers' loops,
 * Docker `--restart on-failure`): sysexits.h's numbers where one fits.
 */
export const EXIT = {
  /** Stopped (a signal): nothing to do. */
  stopped: 0,
  /** EX_USAGE: the command line is wrong, not paired, or the pairing code was refused: restarting cannot help. */
  usage: 64,
  /** EX_TEMPFAIL: the deployment could not be reached while pairing: try again later. */
  tempfail: 75,
  /** EX_NOPERM: revoked or unknown credential, replaced by another copy, Node.js or protocol too old: do not restart. */
  noperm: 77,
} as const;

/** Whether `have` (a Node.js version, `v` optional) is at least `min`. */
export function atLeast(have: string, min: string): boolean {
  const a = have.replace(/^v/, "").split(".").map((x) => parseInt(x, 10) || 0);
  const b = min.split(".").map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}
