/**
 * Server-pushed notices (task completed, captcha needed…) as toasts wherever the user is: worded in the
 * dashboard's language from the event, with the task's name (from the cache, else fetched; marked as user
 * data) as the link that opens the task. A notice without an `event` is worded from its `code`, else
 * shows the server's own text in Chinese and a generic line by its level in English.
 */
import type { ServerMessage } from "@shared/live";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { App } from "antd";
import { useEffect } from "react";
import { useNavigate } from "react-router";
import { api, unwrap } from "../api/client";
import { keys, type Task, type TaskRow } from "../api/queries";
import { codedText } from "../components/ServerText";
import { UserData } from "../components/UserData";
import { useI18n, type Lang, type MessageKey, type Translate } from "../i18n";
import { live } from "./sync";

type Notice = Extract<ServerMessage, { type: "notification" }>;
type Known = Pick<TaskRow, "name" | "left_for_user">;

/** The task as the dashboard already holds it (detail or any cached list page), else from the API. */
async function taskOf(qc: QueryClient, id: number): Promise<Known | null> {
  const cached = qc.getQueryData<Task>(keys.task(id));
  if (cached) return cached;
  for (const [, data] of qc.getQueriesData<{ items?: TaskRow[] } | TaskRow[]>({ queryKey: keys.tasks })) {
    const rows = Array.isArray(data) ? data : data?.items;
    const row = rows?.find((r) => r.id === id);
    if (row) return row;
  }
  return qc.fetchQuery({ queryKey: keys.task(id), queryFn: () => unwrap(api.GET("/api/tasks/{id}", { params: { path: { id } } })) }).catch(() => null);
}

const BY_LEVEL: Record<Notice["level"], MessageKey> = { info: "notice.info", success: "notice.success", warning: "notice.warning", error: "notice.error" };

function title(m: Notice, task: Known | null, t: Translate, lang: Lang): string {
  if (!m.event) return codedText(m, lang) ?? (lang === "zh" ? m.message : t(BY_LEVEL[m.level]));
  const left = task?.left_for_user?.length ?? 0;
  if (m.event === "completed" && left) return t("notify.toast.completedLeft", { n: left });
  if (m.event === "rolled_back") return t("notify.toast.rolled_back", { n: Number(m.params?.n ?? 0) });
  return t(`notify.toast.${m.event}`);
}

/** Starts the live socket for a signed-in user and shows its notices; call once, in the app shell. */
export function useTaskNotices(signedIn: boolean) {
  const { notification } = App.useApp();
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  const navigate = useNavigate();
  useEffect(() => {
    if (!signedIn) return;
    live.start();
    return live.onMessage((m) => {
      if (m.type !== "notification") return;
      void (m.task_id ? taskOf(qc, m.task_id) : Promise.resolve(null)).then((task) => {
        const key = `task-${m.task_id ?? 0}-${m.event ?? m.message}`;
        notification[m.level]({
          key,
          title: title(m, task, t, lang),
          description: m.task_id ? (
            // Toasts render outside the router (antd's App holder): a plain link that navigates in-app.
            <a
              href={`/tasks/${m.task_id}`}
              onClick={(e) => {
                e.preventDefault();
                notification.destroy(key);
                void navigate(`/tasks/${m.task_id}`);
              }}
              data-testid="toast-task-link"
            >
              {task ? <UserData>{task.name}</UserData> : t("notify.toast.open")}
            </a>
          ) : undefined,
          placement: "bottomRight",
        });
      });
    });
  }, [signedIn, notification, qc, t, lang, navigate]);
}
