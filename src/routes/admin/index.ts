import type { App } from "../../types";
import { registerAuditRoutes } from "./audit";
import { registerAdminBackupRoutes } from "./backup";
import { registerAdminDiagnosticsRoutes } from "./diagnostics";
import { registerAdminEngineRoutes } from "./engine";
import { registerAdminStatisticsRoutes } from "./statistics";
import { registerAdminTaskRoutes } from "./tasks";
import { registerAdminUserRoutes } from "./users";

/** The admin API (README "Admin"): every route is `adminOnly` and every admin action lands in the audit log. */
export function registerAdminRoutes(app: App) {
  registerAdminUserRoutes(app);
  registerAdminTaskRoutes(app);
  registerAdminStatisticsRoutes(app);
  registerAuditRoutes(app);
  registerAdminEngineRoutes(app);
  registerAdminDiagnosticsRoutes(app);
  registerAdminBackupRoutes(app);
}
