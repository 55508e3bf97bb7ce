/** The Chaoxing client's public surface (issue 3); the task engine imports from here. */
export { CARD_TABS, ChaoxingClient, parseIsPassed, type ChaoxingClientOptions, type ReportParams, type ReportResult } from "./client";
export { BROWSER_HEADERS, CookieJar, type SerializedJar } from "./cookies";
export { ChaoxingError, isChaoxingError, type ChaoxingErrorKind } from "./errors";
export { rtCandidates } from "./marg";
export { courseProgress } from "./progress";
export { directTransport, getTransport, setTransportOverride, type Transport } from "./transport";
export { upstreamUrlsAt, upstreamUrlsFromEnv, type UpstreamUrlEnv, type UpstreamUrls } from "./urls";
export type * from "./types";
