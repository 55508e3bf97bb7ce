import { StopOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Input, Typography } from "antd";
import { api, unwrap } from "../api/client";
import { useErrorText } from "../api/errors";
import { keys } from "../api/queries";
import { useI18n } from "../i18n";
import { UserData } from "./UserData";

type StoppableTask = { id: number; name: string; status: string; username: string };

/**
 * Admin: stop anyone's pending, running or paused task (it becomes cancelled, reason admin). The
 * confirmation names the owner, the task and what it is doing now: this is someone else's work.
 */
export function ForceStop({ task, size = "small" }: { task: StoppableTask; size?: "small" | "middle" }) {
  const { t } = useI18n();
  const { message, modal } = App.useApp();
  const errorText = useErrorText();
  const qc = useQueryClient();
  const stop = useMutation({
    mutationFn: (reason: string) => unwrap(api.POST("/api/admin/tasks/{id}/force-stop", { params: { path: { id: task.id } }, body: { reason } })),
    onSuccess: () => {
      message.success(t("done.forceStop"));
      void qc.invalidateQueries({ queryKey: keys.admin });
    },
    onError: (e) => message.error(errorText(e, { conflict: "error.conflict_task" })),
  });
  if (!["pending", "running", "paused"].includes(task.status)) return null;
  // The reason is told to the task's owner (their page and their notifications) and kept in the audit log.
  const confirm = () => {
    let reason = "";
    const dialog = modal.confirm({
      title: t("admin.forceStopTitle"),
      content: (
        <>
          {t("admin.forceStopWho")} <UserData>{task.username}</UserData> · <UserData>{task.name}</UserData>
          <br />
          {t(`admin.forceStopWhat.${task.status as "pending" | "running" | "paused"}`)}
          <Typography.Paragraph style={{ margin: "12px 0 4px" }}>
            <label htmlFor={`force-stop-reason-${task.id}`}>{t("admin.forceStopReason")}</label>
          </Typography.Paragraph>
          <Input.TextArea
            id={`force-stop-reason-${task.id}`}
            maxLength={200}
            autoSize={{ minRows: 2, maxRows: 4 }}
            placeholder={t("admin.forceStopReasonHint")}
            onChange={(e) => {
              reason = e.target.value;
              dialog.update({ okButtonProps: { danger: true, disabled: !reason.trim() } });
            }}
          />
        </>
      ),
      okText: t("action.forceStop"),
      cancelText: t("action.no"),
      okButtonProps: { danger: true, disabled: true },
      onOk: () => stop.mutateAsync(reason.trim()).catch(() => undefined),
    });
  };
  return (
    <Button size={size} danger icon={<StopOutlined />} loading={stop.isPending} onClick={confirm} data-action="force-stop">
      {t("action.forceStop")}
    </Button>
  );
}
