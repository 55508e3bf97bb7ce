import { expect, it } from "vitest";
import { VERSION } from "../src/version";
import pkg from "../package.json";
import changelog from "../CHANGELOG.md?raw";

// The version /api/health shows is the release's: package.json's, and the newest entry of the changelog.
it("src/version.ts, package.json and CHANGELOG.md name the same release", () => {
  expect(pkg.version).toBe(VERSION);
  expect(changelog.match(/^## (\S+)/m)?.[1]).toBe(VERSION);
});
