/**
 * The chapter as a browser opens it (chaoxing-protocol.md, "Corrections of 2026-12" items 2 and 10):
 * the top page `mycourse/studentstudy`, whose DOM holds the face masks of a course that captures, and its
 * skeleton `mycourse/studentstudyAjax`, whose tab bar lists the chapter's cards. Parsed with workerd's
 * HTMLRewriter, as the other pages are (src/chaoxing/html.ts).
 */

async function run(html: string, rewriter: HTMLRewriter): Promise<void> {
  await rewriter.transform(new Response(html)).arrayBuffer();
}

/**
 * The cards of a chapter: the indexes of the tab bar's `li` (`#prev_tab .prev_ul li`) that carry a
 * `cardid`, counted among all its `li` as ocsjs request mode counts them; there may be more than seven.
 * null when the page has no tab bar at all (a page of another shape: the caller falls back to probing).
 */
export async function parseTabList(html: string): Promise<number[] | null> {
  let bar = false;
  let index = 0;
  const cards: number[] = [];
  await run(
    html,
    new HTMLRewriter()
      .on("#prev_tab", { element() { bar = true; } })
      .on("#prev_tab .prev_ul li", {
        element(el) {
          if (el.getAttribute("cardid")) cards.push(index);
          index++;
        },
      }),
  );
  return bar ? cards : null;
}

/** The face masks the chapter page renders for a course that captures (ocsjs `isFaceRequired`: "以 DOM 为准更可靠"). */
const MASKS = ["#chapterFaceState", ".maskDiv1", ".chapterVideoFaceMaskDiv", ".chapterVideoFaceQrMaskDiv"];

/** Which of the face masks the chapter page holds ([] when none). */
export async function faceMasks(html: string): Promise<string[]> {
  const found = new Set<string>();
  let rewriter = new HTMLRewriter();
  for (const m of MASKS) rewriter = rewriter.on(m, { element() { found.add(m); } });
  await run(html, rewriter);
  return MASKS.filter((m) => found.has(m));
}
