/** Shared by Settings and the create-task dialog: the speed scale and the "chapter not open" choices. */
export const SPEED_MARKS = { 1: "1.0", 1.5: "1.5", 2: "2.0" };
export const NOTOPEN = ["retry", "ask", "continue"] as const;
export type Notopen = (typeof NOTOPEN)[number];
