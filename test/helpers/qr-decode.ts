import jsQR from "jsqr";

/**
 * Reads a QR code out of a PNG with tools that share nothing with the encoder: the PNG is parsed here
 * (chunks, zlib through the runtime's DecompressionStream, PNG's five row filters), and the code is read
 * by `jsqr`, a decoder of its own lineage. Greyscale or RGB(A), 8 or 1 bits deep, not interlaced.
 */
export async function decodeQrPng(png: Uint8Array): Promise<string | null> {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!sig.every((b, i) => png[i] === b)) throw new Error("not a PNG");
  let width = 0;
  let height = 0;
  let depth = 0;
  let colour = 0;
  const idat: Uint8Array[] = [];
  for (let at = 8; at < png.length; ) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      depth = data[8]!;
      colour = data[9]!;
      if (data[12] !== 0) throw new Error("interlaced PNG");
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    at += 12 + len;
  }
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colour as 0 | 2 | 4 | 6];
  if (!channels || (depth !== 8 && !(depth === 1 && colour === 0))) throw new Error(`unsupported PNG (depth ${depth}, colour ${colour})`);
  const joined = new Blob(idat.map((d) => d.slice())).stream().pipeThrough(new DecompressionStream("deflate"));
  const raw = new Uint8Array(await new Response(joined).arrayBuffer());
  const stride = Math.ceil((width * channels * depth) / 8);
  const bpp = Math.max(1, (channels * depth) / 8);
  const rows: Uint8Array[] = [];
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.slice(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const prev = rows[y - 1] ?? new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? line[i - bpp]! : 0;
      const b = prev[i]!;
      const c = i >= bpp ? prev[i - bpp]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const add = [0, a, b, (a + b) >> 1, paeth][filter];
      if (add === undefined) throw new Error(`bad filter ${filter}`);
      line[i] = (line[i]! + add) & 0xff;
    }
    rows.push(line);
  }
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const grey = depth === 1 ? ((rows[y]![x >> 3]! >> (7 - (x & 7))) & 1) * 255 : rows[y]![x * channels]!;
      rgba.set([grey, channels >= 3 ? rows[y]![x * channels + 1]! : grey, channels >= 3 ? rows[y]![x * channels + 2]! : grey, 255], (y * width + x) * 4);
    }
  }
  return jsQR(rgba, width, height)?.data ?? null;
}
