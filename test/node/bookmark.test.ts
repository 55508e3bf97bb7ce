import createClient from "openapi-fetch";
import { describe, expect, it } from "vitest";
import { bookmarkMiddleware } from "../../web/src/api/bookmark";

// The dashboard's API client sends back the D1 bookmark of the last answer, so a read served by a nearby
// replica is never older than the user's own last write (the server's side is test/reads.test.ts).

function memoryStore() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

describe("the dashboard's D1 bookmark", () => {
  it("is remembered from the last answer and sent on the next requests", async () => {
    const sent: (string | null)[] = [];
    const answers = ["b-1", null, "b-2"];
    const client = createClient<Record<string, never>>({
      baseUrl: "http://dashboard.test/",
      fetch: async (req: Request) => {
        sent.push(req.headers.get("X-D1-Bookmark"));
        const bookmark = answers.shift();
        return new Response("{}", { status: 200, headers: { "Content-Type": "application/json", ...(bookmark ? { "X-D1-Bookmark": bookmark } : {}) } });
      },
    });
    client.use(bookmarkMiddleware(memoryStore()));
    const get = (client as unknown as { GET: (p: string) => Promise<unknown> }).GET;
    for (let i = 0; i < 4; i++) await get("/api/tasks");
    // None before the first answer; then the newest one seen (an answer without one keeps the last).
    expect(sent).toEqual([null, "b-1", "b-1", "b-2"]);
  });
});
