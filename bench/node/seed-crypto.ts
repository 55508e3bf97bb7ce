// What the capacity seed needs from the app's own code, bundled for Node by bench/run.mjs: the password
// hash and the sealed Chaoxing password exactly as the worker writes them (src/lib), and access tokens
// with the claims src/auth/tokens.ts issues (HS256, sub/jti/iat/exp; the caller inserts the auth_tokens
// row, which issueToken writes through D1).
import { SignJWT } from "jose";
import { utf8 } from "../../shared/encoding";
import { hashPassword } from "../../src/lib/password";
import { seal } from "../../src/lib/secretbox";

export { hashPassword, seal };

export async function signToken(secret: string, userId: number, jti: string, iat: number, exp: number): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setSubject(String(userId)).setJti(jti).setIssuedAt(iat).setExpirationTime(exp).sign(utf8(secret));
}
