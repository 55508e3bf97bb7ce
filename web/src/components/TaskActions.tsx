import { CaretRightOutlined, DeleteOutlined, PauseOutlined, RedoOutlined, StopOutlined } from "@ant-design/icons";
import type { TaskStatus } from "@shared/live";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Popconfirm, Space } from "antd";
import type { ReactNode } from "react";
import { useNavigate } from "react-router";
import { api, unwrap, type Res } from "../api/client";
import { keys } from "../api/queries";
import { useI18n } from "../i18n";

export type TaskAction = "start" | "pause" | "resume" | "cancel" | "retry" | "delete";

/** What each status allows (docs/api-contract "Tasks"); the server answers 409 to anything else. */
export const ALLOWED: Record<TaskStatus, TaskAction[]> = {
  pending: ["start", "cancel", "delete"],
  running: ["pause", "cancel"],
  paused: ["resume", "cancel", "delete"],
  completed: ["delete"],
  failed: ["retry", "delete"],
  cancelled: ["retry", "delete"],
};

type ActionResult = Res<"/api/tasks/{id}/start", "post"> | Res<"/api/tasks/{id}", "delete">;

export function callAction(id: number, action: TaskAction, notopen?: "skip" | "stop"): Promise<ActionResult> {
  const params = { path: { id } };
  switch (action) {
    case "start":
      return unwrap(api.POST("/api/tasks/{id}/start", { params }));
    case "pause":
      return unwrap(api.POST("/api/tasks/{id}/pause", { params }));
    case "resume":
      return unwrap(api.POST("/api/tasks/{id}/resume", { params, body: notopen ? { notopen } : {} }));
    case "cancel":
      return unwrap(api.POST("/api/tasks/{id}/cancel", { params }));
    case "retry":
      return unwrap(api.POST("/api/tasks/{id}/retry", { params }));
    case "delete":
      return unwrap(api.DELETE("/api/tasks/{id}", { params }));
  }
}

export function useTaskAction() {
  const qc = useQueryClient();
  const { message } = App.useApp();
  const { t } = useI18n();
  return useMutation({
    mutationFn: (v: { id: number; action: TaskAction; notopen?: "skip" | "stop" }) => callAction(v.id, v.action, v.notopen),
    onSuccess: (res, v) => {
      if (v.action === "delete") qc.removeQueries({ queryKey: keys.task(v.id) });
      else if ("task" in res) qc.setQueryData(keys.task(v.id), (old: object | undefined) => (old ? { ...old, ...res.task } : old));
      void qc.invalidateQueries({ queryKey: keys.tasks });
      void qc.invalidateQueries({ queryKey: keys.profile });
      message.success(res.message || t("action.done"));
    },
    onError: (e) => message.error(e.message),
  });
}

const ICONS: Record<TaskAction, ReactNode> = {
  start: <CaretRightOutlined />,
  pause: <PauseOutlined />,
  resume: <CaretRightOutlined />,
  cancel: <StopOutlined />,
  retry: <RedoOutlined />,
  delete: <DeleteOutlined />,
};

/** The buttons a task's state allows, with a confirmation for the destructive ones. */
export function TaskActions({ task, size = "small", afterDelete }: { task: { id: number; name: string; status: TaskStatus; reason: string | null }; size?: "small" | "middle"; afterDelete?: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const act = useTaskAction();
  const busy = act.isPending && act.variables?.id === task.id;
  const run = (action: TaskAction) =>
    act.mutate({ id: task.id, action }, { onSuccess: () => action === "delete" && afterDelete && navigate(afterDelete) });
  // A task asking about a closed chapter needs the choice, which the detail page offers.
  const actions = ALLOWED[task.status].filter((a) => !(a === "resume" && task.reason === "notopen_ask"));
  return (
    <Space size={4} wrap>
      {actions.map((a) => {
        const label = t(`action.${a}`);
        const button = (
          <Button key={a} size={size} icon={ICONS[a]} danger={a === "delete" || a === "cancel"} loading={busy && act.variables?.action === a} disabled={busy} onClick={a === "cancel" || a === "delete" ? undefined : () => run(a)} data-action={a}>
            {label}
          </Button>
        );
        if (a !== "cancel" && a !== "delete") return button;
        return (
          <Popconfirm key={a} title={t(a === "cancel" ? "action.confirmCancel" : "action.confirmDelete", { name: task.name })} okText={t("action.ok")} cancelText={t("action.no")} okButtonProps={{ danger: true }} onConfirm={() => run(a)}>
            {button}
          </Popconfirm>
        );
      })}
    </Space>
  );
}
