import { md5Hex } from "../../shared/encoding";
import { hex32 } from "./model";

/**
 * The platform's side of the report's checksums, written here from the protocol notes and not imported from
 * the client: if the client signs a field wrongly, the simulator refuses it instead of agreeing with it.
 */

const SALT = "d_yHJ!$pdA~5";

export interface SignedReport {
  clazzId: string;
  userid: string;
  jobid: string;
  objectId: string;
  /** whole seconds */
  playingTime: number;
  /** whole seconds, the media's full length */
  duration: number;
  /** `<begins>_<ends>` of the clip */
  clipTime: string;
}

/** `enc`: MD5 of `[clazzId][userid][jobid][objectId][playingTime*1000][salt][duration*1000][clipTime]`. */
export const expectedEnc = (r: SignedReport): Promise<string> =>
  md5Hex(`[${r.clazzId}][${r.userid}][${r.jobid}][${r.objectId}][${r.playingTime * 1000}][${SALT}][${r.duration * 1000}][${r.clipTime}]`);

/**
 * [unverified] How the page's `attDurationEnc` and `videoFaceCaptureEnc` are made is not public: these are
 * our own deterministic choices. Clients only copy them from the attachment into the report, so any
 * algorithm shows whether they do.
 */
export const attDurationEnc = (uid: string, jobid: string, attDuration: number): string => hex32(`att:${uid}:${jobid}:${attDuration}`);

export const videoFaceCaptureEnc = (uid: string, jobid: string): string => hex32(`vfc:${uid}:${jobid}`);
