import type { ReactNode } from "react";

/**
 * Text that belongs to the user or to Chaoxing (task and course names, usernames, chapter titles), not
 * to the interface: it stays as written in either language. The attribute also tells the e2e language
 * check which Chinese text is allowed on an English page.
 */
export function UserData({ children }: { children: ReactNode }) {
  return <span data-user-data="">{children}</span>;
}
