/**
 * Chinese first: the source of every key, by area of the dashboard (zh/*.ts). `en.ts` must translate
 * each one (checked by its type, area by area).
 */
import { shell } from "./zh/shell";
import { auth } from "./zh/auth";
import { tasks } from "./zh/tasks";
import { settings } from "./zh/settings";
import { notify } from "./zh/notify";
import { admin } from "./zh/admin";
import { errors } from "./zh/errors";

export const zh = { ...shell, ...auth, ...tasks, ...settings, ...notify, ...admin, ...errors } as const;

export type MessageKey = keyof typeof zh;
