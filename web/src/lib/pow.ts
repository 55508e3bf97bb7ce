/**
 * The sign-up's proof of work (src/lib/pow.ts on the server): find a nonce whose SHA-256 with the
 * challenge starts with `bits` zero bits. About 2^bits hashes; the page stays responsive (the loop
 * yields every batch).
 */
function leadingZeroBits(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) {
    if (b === 0) n += 8;
    else return n + Math.clz32(b) - 24;
  }
  return n;
}

export async function solveChallenge(challenge: string, bits: number): Promise<string> {
  const enc = new TextEncoder();
  for (let i = 0; i < 2 ** 28; i++) {
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(`${challenge}:${i}`)));
    if (leadingZeroBits(hash) >= bits) return String(i);
    if (i % 2000 === 1999) await new Promise((r) => setTimeout(r, 0));
  }
  throw new Error("no solution");
}
