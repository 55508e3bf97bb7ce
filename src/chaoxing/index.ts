/** The Chaoxing client's public surface. */
export { CARD_TABS, ChaoxingClient, parseIsPassed, type ChaoxingClientOptions, type ReportParams, type ReportResult } from "./client";
export { CookieJar, type SerializedJar } from "./cookies";
export { ChaoxingError, type ChaoxingErrorKind } from "./errors";
export { rtCandidates } from "./marg";
export { courseProgress } from "./progress";
export { directTransport, getTransport, setTransportOverride, type Transport } from "./transport";
export { chapterPageUrl, coursePageUrl, isUpstream, upstreamUrlsAt, upstreamUrlsFromEnv, type UpstreamUrlEnv, type UpstreamUrls } from "./urls";
export type * from "./types";
