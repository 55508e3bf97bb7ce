import type { Course } from "../chaoxing/types";
import type { ClassRef, CourseEntry } from "./state";

/**
 * What a task studies, class by class (a courseId can belong to two classes, each counted apart: reference
 * CLI #604, chaoxing-protocol.md "Consequences for a client"). A course named by its id is studied in each
 * of its classes that has not ended; a class the task names is studied even if it ended; naming a class of
 * a course takes that course's other classes out (the user chose which).
 */
export interface Resolved {
  /** The classes to study, in the course list's order. */
  entries: CourseEntry[];
  /** Course ids the account does not have. */
  missing: string[];
  /** Courses named by id whose every class ended: nothing studied, left for the user. */
  allEnded: Course[];
  /** Ended classes passed over beside an ongoing class of the same course. */
  endedSkipped: Course[];
}

const same = (a: ClassRef, c: Course): boolean => a.courseId === c.courseId && a.clazzId === c.clazzId;

export function resolveClasses(courseIds: string[], named: ClassRef[], list: Course[]): Resolved {
  const picked: Course[] = [];
  const out: Resolved = { entries: [], missing: [], allEnded: [], endedSkipped: [] };
  for (const id of courseIds) {
    const classes = list.filter((c) => c.courseId === id);
    if (classes.length === 0) {
      out.missing.push(id);
      continue;
    }
    const chosen = named.filter((n) => n.courseId === id);
    if (chosen.length) {
      const found = classes.filter((c) => chosen.some((n) => same(n, c)));
      if (found.length === 0) out.missing.push(id);
      picked.push(...found);
      continue;
    }
    const ongoing = classes.filter((c) => c.state !== 1);
    if (ongoing.length === 0) out.allEnded.push(classes[0]!);
    else out.endedSkipped.push(...classes.filter((c) => c.state === 1));
    picked.push(...ongoing);
  }
  // Named classes of a course not among the ids (a task that names classes only).
  for (const n of named) if (!courseIds.includes(n.courseId)) picked.push(...list.filter((c) => same(n, c)));
  const seen = new Set<string>();
  for (const c of list) {
    const key = `${c.courseId}:${c.clazzId}`;
    if (seen.has(key) || !picked.includes(c)) continue;
    seen.add(key);
    out.entries.push({ courseId: c.courseId, clazzId: c.clazzId, cpi: c.cpi, name: c.courseName, status: "todo" });
  }
  return out;
}
