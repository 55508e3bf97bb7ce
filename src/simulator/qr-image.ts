import { encode } from "uqr";

/**
 * The QR code `createqr` answers, as a PNG (chaoxing-protocol.md, Corrections of 2026-12, item 13). The
 * modules come from `uqr` (zero dependencies, runs in Workers); the PNG around them is written here: a
 * 1-bit greyscale image whose pixel rows are deflated by the runtime's own `CompressionStream` (the zlib
 * stream PNG's IDAT wants), so no image library is bundled.
 */

/** Pixels per module, and the quiet zone in modules (the standard asks for 4). */
const SCALE = 6;
const QUIET = 4;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A black-on-white PNG of `dark` (rows of modules, true = dark), scaled and with its quiet zone. */
export async function pngOf(dark: readonly (readonly boolean[])[]): Promise<Uint8Array> {
  const modules = dark.length + 2 * QUIET;
  const side = modules * SCALE;
  const rowBytes = Math.ceil(side / 8);
  const raw = new Uint8Array(side * (1 + rowBytes));
  for (let y = 0; y < side; y++) {
    const row = y * (1 + rowBytes); // filter byte 0 (none), then the packed pixels: 1 = white
    const my = Math.floor(y / SCALE) - QUIET;
    for (let x = 0; x < side; x++) {
      const mx = Math.floor(x / SCALE) - QUIET;
      const isDark = dark[my]?.[mx] === true;
      if (!isDark) raw[row + 1 + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  const header = new Uint8Array(13);
  const h = new DataView(header.buffer);
  h.setUint32(0, side);
  h.setUint32(4, side);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const signature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
  const parts = [signature, chunk("IHDR", header), chunk("IDAT", await deflate(raw)), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The QR code of `text` as a PNG. */
export function qrPng(text: string): Promise<Uint8Array> {
  return pngOf(encode(text, { ecc: "M", border: 0 }).data);
}
