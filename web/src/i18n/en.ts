/** English, area by area (en/*.ts), each typed by its Chinese area: a key missing or extra fails to compile. */
import type { MessageKey } from "./zh";
import { shell } from "./en/shell";
import { auth } from "./en/auth";
import { tasks } from "./en/tasks";
import { settings } from "./en/settings";
import { notify } from "./en/notify";
import { admin } from "./en/admin";
import { errors } from "./en/errors";

export const en: Record<MessageKey, string> = { ...shell, ...auth, ...tasks, ...settings, ...notify, ...admin, ...errors };
