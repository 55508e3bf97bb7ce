import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * The house a newcomer walks (style-examples.md, point 12): no import circles, and no module so long that
 * a reader cannot hold it. The graph is dependency-cruiser's, type-only imports included (a type that
 * several layers need lives below them, not in one of them); web/tsconfig.json gives it the dashboard's
 * `@shared/*` alias.
 */

const root = path.resolve(import.meta.dirname, "..", "..");
/** The packages: the product, the simulator, what both run, the relay agent, the dashboard. */
const FOLDERS = ["src", "simulator", "shared", "relay", "web/src"];
const SOURCE = /\.(ts|tsx|mts|js|mjs)$/;
const MAX_LINES = 450;
/**
 * A generated file says so in its first lines (openapi-typescript writes "This file was auto-generated",
 * other tools "@generated"); it is rewritten by its tool (`npm run api:gen`), never read as code. Files
 * that are not source (web/src/api/openapi.json, the relay's installers) are not counted at all.
 */
const GENERATED = /auto-generated|@generated/i;

function sourceFiles(dir: string): string[] {
  const abs = path.join(root, dir);
  let entries;
  try {
    entries = readdirSync(abs, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "dist" ? [] : sourceFiles(rel);
    return SOURCE.test(e.name) ? [rel] : [];
  });
}

describe("the module graph", () => {
  let graph: ICruiseResult;
  beforeAll(async () => {
    const folders = FOLDERS.filter((f) => sourceFiles(f).length > 0);
    const result = await cruise(
      folders,
      {
        validate: true,
        ruleSet: { forbidden: [{ name: "no-circular", severity: "error", from: {}, to: { circular: true } }] },
        tsPreCompilationDeps: true,
        doNotFollow: { path: "node_modules" },
        exclude: { path: ["node_modules", "/dist/"] },
        baseDir: root,
      },
      undefined,
      { tsConfig: { fileName: path.join(root, "web", "tsconfig.json") } },
    );
    graph = result.output as ICruiseResult;
  }, 60_000);

  it("reads every package", () => {
    // A resolver that silently found nothing would pass the circle check below.
    const seen = new Set(graph.modules.map((m) => m.source.split("/")[0]));
    for (const f of ["src", "simulator", "shared", "relay", "web"]) expect(seen, f).toContain(f);
  });

  it("has no import circles", () => {
    const circles = new Set(
      graph.summary.violations
        .filter((v) => v.rule.name === "no-circular")
        .map((v) => [v.from, ...(v.cycle ?? []).map((c) => (typeof c === "string" ? c : c.name))].join(" → ")),
    );
    expect([...circles].sort(), "import circles (each listed from one of its edges)").toEqual([]);
  });
});

it(`no hand-written source file is over ${MAX_LINES} lines`, () => {
  const long = FOLDERS.flatMap(sourceFiles)
    .map((file) => {
      const text = readFileSync(path.join(root, file), "utf8");
      return { file, lines: text.split("\n").length - (text.endsWith("\n") ? 1 : 0), generated: GENERATED.test(text.slice(0, 300)) };
    })
    .filter((f) => !f.generated && f.lines > MAX_LINES)
    .map((f) => `${f.file}: ${f.lines} lines`);
  expect(long.sort(), `files over ${MAX_LINES} lines`).toEqual([]);
});
