import { ArrowLeftOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Alert, Flex, Result, Skeleton, Typography } from "antd";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { useErrorText } from "../../api/errors";
import { keys, useMe, type AdminTask } from "../../api/queries";
import { ForceStop } from "../../components/ForceStop";
import { StatusTag } from "../../components/StatusTag";
import { TaskView } from "../../components/TaskView";
import { usePageTitle } from "../../components/usePageTitle";
import { UserData } from "../../components/UserData";
import { useI18n } from "../../i18n";
import { useLiveState, useLiveTasks } from "../../live/sync";

const ACTIVE = new Set(["pending", "running", "paused"]);

/** Any user's task, read-only (every open is in the audit log): what the owner sees, plus force-stop. */
export default function AdminTaskDetail() {
  const { t } = useI18n();
  const errorText = useErrorText();
  const id = Number(useParams().id);
  const me = useMe();
  const liveOpen = useLiveState().kind === "open";
  const task = useQuery({
    queryKey: keys.adminTask(id),
    queryFn: () => unwrap(api.GET("/api/admin/tasks/{id}", { params: { path: { id } } })) as Promise<AdminTask>,
    enabled: id > 0,
    refetchInterval: (q) => (q.state.data && ACTIVE.has(q.state.data.status) ? (liveOpen ? 15_000 : 5_000) : false),
  });
  usePageTitle(task.data ? `${task.data.name} · ${t("nav.adminTasks")}` : t("nav.adminTasks"));
  // Admins may subscribe to any task's live updates (README "Live progress").
  useLiveTasks(task.data ? [id] : []);

  if (task.isPending) return <Skeleton active paragraph={{ rows: 10 }} />;
  if (task.error) return <Result status="warning" title={errorText(task.error)} extra={<Link to="/admin/tasks">{t("nav.adminTasks")}</Link>} />;
  const d = task.data;
  const viewer = d.user_id === me.data?.id ? "self" : "other";
  const fetchLogs = (after_id: number, limit: number) => unwrap(api.GET("/api/admin/tasks/{id}/logs", { params: { path: { id }, query: { after_id, limit } } }));
  return (
    <>
      <Link to="/admin/tasks">
        <ArrowLeftOutlined /> {t("nav.adminTasks")}
      </Link>
      <div className="page-head" style={{ marginTop: 8 }}>
        <Flex gap={12} align="center" wrap style={{ minWidth: 0 }}>
          <Typography.Title level={1} style={{ overflowWrap: "anywhere" }}>
            <UserData>{d.name}</UserData>
          </Typography.Title>
          <StatusTag task={d} viewer={viewer} />
        </Flex>
        <ForceStop task={d} size="middle" />
      </div>
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        title={
          <>
            {t("admin.taskOf")} <Link to={`/admin/users/${d.user_id}`}><UserData>{d.username}</UserData></Link>
          </>
        }
        description={t("admin.readOnly")}
        data-testid="admin-task-owner"
      />
      <TaskView task={d} viewer={viewer} owner={false} fetchLogs={fetchLogs} liveLogs={d.status === "running"} />
    </>
  );
}
