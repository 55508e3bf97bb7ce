// Vars every local run of the demo gives the app (`npm run dev`, the bench's runtime), whatever an older
// .dev.vars says: Chaoxing calls "direct" are allowed, since the simulator is local (each user
// may still choose the relay), and the demo accounts study all day with no gap between videos, so the
// demo behaves the same at any hour. Production keeps relay-only and 08:00–23:00 (wrangler.toml).
export const DEV_APP_VARS = {
  EGRESS_DIRECT_ALLOWED: "true",
  LIMIT_STUDY_WINDOW: "00:00-24:00",
  LIMIT_VIDEO_GAP_SECONDS: "0",
  LIMIT_VIDEO_GAP_JITTER_SECONDS: "0",
};

/** As `wrangler dev` arguments. */
export const devVarArgs = () => Object.entries(DEV_APP_VARS).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
