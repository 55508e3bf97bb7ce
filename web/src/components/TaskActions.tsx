import { CaretRightOutlined, DeleteOutlined, PauseOutlined, RedoOutlined, StopOutlined } from "@ant-design/icons";
import type { TaskStatus } from "@shared/live";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Popconfirm, Space, type MenuProps } from "antd";
import type { ReactNode } from "react";
import { useNavigate } from "react-router";
import { api, ApiFailure, unwrap, type Body, type Res } from "../api/client";
import { ErrorWithLink, useErrorText } from "../api/errors";
import { keys } from "../api/queries";
import { useI18n, type MessageKey } from "../i18n";

export type TaskAction = "start" | "pause" | "resume" | "cancel" | "retry" | "delete";
/** What resuming from a closed-chapter question answers; `retry`: the user opened it by hand, check again. */
export type NotopenChoice = NonNullable<Body<"/api/tasks/{id}/resume", "post">["notopen"]>;

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

export function callAction(id: number, action: TaskAction, notopen?: NotopenChoice): Promise<ActionResult> {
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

/** Our own words for a done action (the server's `message` is Chinese). */
export const DONE: Record<TaskAction, MessageKey> = {
  start: "done.start",
  pause: "done.pause",
  resume: "done.resume",
  cancel: "done.cancel",
  retry: "done.retry",
  delete: "done.delete",
};

export function useTaskAction() {
  const qc = useQueryClient();
  const { message } = App.useApp();
  const { t } = useI18n();
  const errorText = useErrorText();
  return useMutation({
    mutationFn: (v: { id: number; action: TaskAction; notopen?: NotopenChoice }) => callAction(v.id, v.action, v.notopen),
    onSuccess: (res, v) => {
      if (v.action === "delete") qc.removeQueries({ queryKey: keys.task(v.id) });
      else if ("task" in res) qc.setQueryData(keys.task(v.id), (old: object | undefined) => (old ? { ...old, ...res.task } : old));
      void qc.invalidateQueries({ queryKey: keys.tasks });
      void qc.invalidateQueries({ queryKey: keys.profile });
      message.success(t(DONE[v.action]));
    },
    onError: (e, v) => {
      // The state changed under us (another tab, the engine): show what it is now.
      if (e instanceof ApiFailure && (e.code === "task_state" || e.code === "conflict")) void qc.invalidateQueries({ queryKey: keys.task(v.id) });
      const text = errorText(e, { conflict: "error.conflict_task" });
      message.error(<ErrorWithLink error={e} text={text} linkText={t("error.goFix")} />);
    },
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

type ActionTask = { id: number; name: string; status: TaskStatus; reason: string | null };

const DESTRUCTIVE = new Set<TaskAction>(["cancel", "delete"]);
const confirmKey = (a: TaskAction): MessageKey => (a === "cancel" ? "action.confirmCancel" : "action.confirmDelete");

/**
 * The actions a task's state allows. A task asking about a closed chapter needs the choice, and one paused
 * by risk control is resumed after a cool-down: the detail page's cards offer those, not a plain button.
 */
const actionsOf = (task: ActionTask) => ALLOWED[task.status].filter((a) => !(a === "resume" && (task.reason === "notopen_ask" || task.reason === "risk_control")));

/** The buttons a task's state allows, with a confirmation for the destructive ones. */
export function TaskActions({ task, size = "small", afterDelete }: { task: ActionTask; size?: "small" | "middle"; afterDelete?: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const act = useTaskAction();
  const busy = act.isPending && act.variables?.id === task.id;
  const run = (action: TaskAction) =>
    act.mutate({ id: task.id, action }, { onSuccess: () => action === "delete" && afterDelete && navigate(afterDelete) });
  return (
    <Space size={4} wrap>
      {actionsOf(task).map((a) => {
        const button = (
          <Button key={a} size={size} icon={ICONS[a]} danger={DESTRUCTIVE.has(a)} loading={busy && act.variables?.action === a} disabled={busy} onClick={DESTRUCTIVE.has(a) ? undefined : () => run(a)} data-action={a}>
            {t(`action.${a}`)}
          </Button>
        );
        if (!DESTRUCTIVE.has(a)) return button;
        return (
          <Popconfirm key={a} title={t(confirmKey(a), { name: task.name })} okText={t("action.ok")} cancelText={t("action.no")} okButtonProps={{ danger: true }} onConfirm={() => run(a)}>
            {button}
          </Popconfirm>
        );
      })}
    </Space>
  );
}

/** For a phone card: the first safe action as a button, the rest (confirmed) in the card's menu. */
export function useTaskCardActions(task: ActionTask): { action: ReactNode; menu: MenuProps["items"] } {
  const { t } = useI18n();
  const { modal } = App.useApp();
  const act = useTaskAction();
  const busy = act.isPending && act.variables?.id === task.id;
  const actions = actionsOf(task);
  const primary = actions.find((a) => !DESTRUCTIVE.has(a));
  const run = (a: TaskAction) => act.mutate({ id: task.id, action: a });
  const confirm = (a: TaskAction) =>
    modal.confirm({ title: t(confirmKey(a), { name: task.name }), okText: t("action.ok"), cancelText: t("action.no"), okButtonProps: { danger: true }, onOk: () => run(a) });
  return {
    action: primary ? (
      <Button size="small" type="primary" icon={ICONS[primary]} loading={busy && act.variables?.action === primary} disabled={busy} onClick={() => run(primary)} data-action={primary}>
        {t(`action.${primary}`)}
      </Button>
    ) : null,
    menu: actions
      .filter((a) => a !== primary)
      .map((a) => ({ key: a, icon: ICONS[a], danger: DESTRUCTIVE.has(a), disabled: busy, label: t(`action.${a}`), onClick: () => (DESTRUCTIVE.has(a) ? confirm(a) : run(a)) })),
  };
}
