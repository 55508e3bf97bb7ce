import { describe, expect, it } from "vitest";
import committed from "../web/src/api/openapi.json";
import { api } from "./helpers/api";

// The dashboard's client is typed from web/src/api/openapi.json, never from hand-copied types.
// If a route changes without `npm run api:gen`, the types lie; this makes that a red test instead.
describe("dashboard API types", () => {
  it("the committed OpenAPI document matches what /api/openapi.json serves (run `npm run api:gen`)", async () => {
    const served = await api("GET", "/api/openapi.json");
    expect(served.status).toBe(200);
    expect(served.body).toEqual(committed);
  });
});
