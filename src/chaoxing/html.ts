import type { Chapter, Course, CourseOutline, Folder } from "./types";

/**
 * Page parsers over workerd's built-in HTMLRewriter (a streaming lol-html parser). Element handlers
 * fire in document order, so a nested element belongs to the container opened last.
 */

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** lol-html hands us raw attribute values and text: decode the entities pages actually use. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === "#") {
      const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

const attr = (el: Element, name: string): string => decodeEntities(el.getAttribute(name) ?? "").trim();
const squash = (s: string): string => decodeEntities(s).replace(/\s+/g, " ").trim();

async function run(html: string, rewriter: HTMLRewriter): Promise<void> {
  // Consuming the transformed body drives the handlers.
  await rewriter.transform(new Response(html)).arrayBuffer();
}

interface CourseDraft {
  id: string;
  info: string;
  roleid: string;
  courseId: string;
  clazzId: string;
  href: string;
  name: string;
  teacher: string;
  /** The text of each `p.overHidden1` line (the class's, the period's, …). */
  lines: string[];
  notOpen: boolean;
  ended: boolean;
  /** The text of the card's paragraphs, for its 开课时间 line. */
  text: string;
}

/**
 * 开课时间：2025-09-01～2027-09-01 on a card [unverified: one public client reads it with this pattern, and
 * notes that the end is often the start plus two years, so it is the class's end, not a teacher's deadline].
 */
const PERIOD_RE = /开课时间[：:]\s*(\d{4}-\d{2}-\d{2})\s*[～~\-]\s*(\d{4}-\d{2}-\d{2})/;

/** The class's name: the card's line `班级：<name>` (other lines share its class, e.g. the period's). */
const clazzOf = (lines: string[]): string => {
  for (const l of lines) {
    const m = /^班级[：:]\s*(.*)$/.exec(squash(l));
    if (m) return m[1]!;
  }
  return "";
};

/** `POST …/visit/courselistdata` reply. Courses holding `.not-open-tip`, or lacking ids, are skipped. */
export async function parseCourseList(html: string, folder: Folder | null = null): Promise<Course[]> {
  const drafts: CourseDraft[] = [];
  const cur = (): CourseDraft | undefined => drafts[drafts.length - 1];
  await run(
    html,
    new HTMLRewriter()
      .on("div.course", {
        element(el) {
          drafts.push({
            id: attr(el, "id"), info: attr(el, "info"), roleid: attr(el, "roleid"),
            courseId: "", clazzId: "", href: "", name: "", teacher: "", lines: [], notOpen: false, ended: false, text: "",
          });
        },
      })
      .on("div.course .not-open-tip", { element() { const c = cur(); if (c) c.notOpen = true; } })
      .on("div.course input.clazzId", { element(el) { const c = cur(); if (c) c.clazzId = attr(el, "value"); } })
      .on("div.course input.courseId", { element(el) { const c = cur(); if (c) c.courseId = attr(el, "value"); } })
      .on("div.course a[href]", { element(el) { const c = cur(); if (c && !c.href) c.href = attr(el, "href"); } })
      .on("div.course span.course-name", { element(el) { const c = cur(); if (c) c.name = attr(el, "title"); } })
      .on("div.course p.color3", { element(el) { const c = cur(); if (c) c.teacher = attr(el, "title"); } })
      .on("div.course p", { text(t) { const c = cur(); if (c) c.text += t.text; } })
      // [unverified] the class's name: the card's line `班级：<name>`.
      .on("div.course p.overHidden1", {
        element() { cur()?.lines.push(""); },
        text(t) { const c = cur(); if (c && c.lines.length) c.lines[c.lines.length - 1] += t.text; },
      })
      // [unverified] ended courses carry a status label reading 已结束.
      .on("div.course .course-status", {
        text(t) { const c = cur(); if (c && t.text.includes("已结束")) c.ended = true; },
      }),
  );
  const courses: Course[] = [];
  for (const d of drafts) {
    const cpi = /(?:^|[?&;])cpi=(\d+)/.exec(d.href)?.[1];
    if (d.notOpen || !d.courseId || !d.clazzId || !cpi) continue;
    const period = PERIOD_RE.exec(squash(d.text));
    courses.push({
      courseId: d.courseId, clazzId: d.clazzId, cpi,
      courseName: d.name, teacherName: d.teacher, clazzName: clazzOf(d.lines), state: d.ended ? 1 : 0,
      startDate: period?.[1] ?? null, endDate: period?.[2] ?? null,
      folderId: folder?.id ?? null, folderName: folder?.name ?? null,
      info: d.info, roleid: d.roleid,
    });
  }
  return courses;
}

/** `GET …/visit/interaction`: the course folders (`ul.file-list > li[fileid]`). */
export async function parseFolders(html: string): Promise<Folder[]> {
  const folders: Folder[] = [];
  await run(
    html,
    new HTMLRewriter()
      .on("ul.file-list > li[fileid]", { element(el) { folders.push({ id: attr(el, "fileid"), name: "" }); } })
      .on("ul.file-list > li[fileid] input.rename-input", {
        element(el) { const f = folders[folders.length - 1]; if (f) f.name = attr(el, "value"); },
      }),
  );
  return folders.filter((f) => f.id !== "");
}

interface ChapterDraft {
  id: string;
  title: string;
  tips: string;
  jobCount: string | null;
}

/** `GET …/mycourse/studentcourse`: the chapter tree, flattened in page order, and the course's link `enc`. */
export async function parseChapters(html: string): Promise<CourseOutline> {
  const drafts: ChapterDraft[] = [];
  let enc: string | null = null;
  const cur = (): ChapterDraft | undefined => drafts[drafts.length - 1];
  const point = 'div.chapter_unit li > div[id^="cur"]';
  await run(
    html,
    new HTMLRewriter()
      .on(point, {
        element(el) {
          const m = /^cur(\d+)$/.exec(el.getAttribute("id") ?? "");
          // A non-numeric id still opens a draft so its children do not attach to the previous chapter.
          drafts.push({ id: m?.[1] ?? "", title: "", tips: "", jobCount: null });
        },
      })
      .on(`${point} a.clicktitle`, { text(t) { const c = cur(); if (c) c.title += t.text; } })
      .on(`${point} span.bntHoverTips`, { text(t) { const c = cur(); if (c) c.tips += t.text; } })
      .on(`${point} input.knowledgeJobCount`, { element(el) { const c = cur(); if (c) c.jobCount = attr(el, "value"); } })
      .on("input#enc", { element(el) { enc = attr(el, "value") || null; } }),
  );
  const seen = new Set<string>();
  const chapters: Chapter[] = [];
  for (const d of drafts) {
    if (!d.id || seen.has(d.id)) continue;
    seen.add(d.id);
    const tips = squash(d.tips);
    const count = d.jobCount !== null && /^\d+$/.test(d.jobCount) ? Number(d.jobCount) : 0;
    chapters.push({
      id: d.id,
      title: squash(d.title),
      jobCount: count,
      finished: tips.includes("已完成"),
      locked: d.jobCount === null && tips.includes("解锁"),
    });
  }
  return { chapters, enc };
}
