// The initial JavaScript of the dashboard: what index.html loads before any route chunk (budget
// ≤ 300 KB gzip, docs/benchmarks.md; the rest is split by route).
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

export function initialJs(distDir) {
  const html = readFileSync(path.join(distDir, "index.html"), "utf8");
  const files = [...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="([^"]+\.js)"/g)].map((m) => m[1]);
  const sizes = files.map((f) => {
    const buf = readFileSync(path.join(distDir, f));
    return { file: f, raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
  });
  return { files: sizes, gzip: sizes.reduce((a, s) => a + s.gzip, 0), raw: sizes.reduce((a, s) => a + s.raw, 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = initialJs(path.resolve(import.meta.dirname, "..", "..", "web", "dist"));
  for (const f of r.files) console.log(`${f.file}  ${(f.raw / 1024).toFixed(1)} KB  gzip ${(f.gzip / 1024).toFixed(1)} KB`);
  console.log(`initial JS: ${(r.raw / 1024).toFixed(1)} KB, gzip ${(r.gzip / 1024).toFixed(1)} KB`);
}
