import { StopOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Popconfirm } from "antd";
import { api, unwrap } from "../api/client";
import { keys } from "../api/queries";
import { useI18n } from "../i18n";

/** Admin: stop anyone's pending, running or paused task (it becomes cancelled, reason admin). */
export function ForceStop({ task }: { task: { id: number; name: string; status: string } }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const stop = useMutation({
    mutationFn: () => unwrap(api.POST("/api/admin/tasks/{id}/force-stop", { params: { path: { id: task.id } } })),
    onSuccess: (r) => {
      message.success(r.message || t("action.done"));
      void qc.invalidateQueries({ queryKey: keys.admin });
    },
    onError: (e) => message.error(e.message),
  });
  if (!["pending", "running", "paused"].includes(task.status)) return null;
  return (
    <Popconfirm title={t("action.confirmForceStop", { name: task.name })} okText={t("action.ok")} cancelText={t("action.no")} okButtonProps={{ danger: true }} onConfirm={() => stop.mutate()}>
      <Button size="small" danger icon={<StopOutlined />} loading={stop.isPending} data-action="force-stop">
        {t("action.forceStop")}
      </Button>
    </Popconfirm>
  );
}
