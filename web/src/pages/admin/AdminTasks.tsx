import { Card, Flex, Select, Table, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router";
import { useAdminTasks, type AdminTaskRow } from "../../api/queries";
import { ForceStop } from "../../components/ForceStop";
import { STATUSES, StatusTag } from "../../components/StatusTag";
import { TaskProgress } from "../../components/TaskProgress";
import { usePageTitle } from "../../components/usePageTitle";
import { useI18n } from "../../i18n";
import { when } from "../../lib/format";
import { useLiveTasks } from "../../live/sync";

export default function AdminTasks() {
  const { t } = useI18n();
  usePageTitle(t("nav.adminTasks"));
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<AdminTaskRow["status"] | undefined>();
  const tasks = useAdminTasks(page, status);
  useLiveTasks(tasks.data?.items.filter((x) => x.status === "running").map((x) => x.id) ?? []);
  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.adminTasks")}</Typography.Title>
      </div>
      <Card>
        <Flex gap={8} style={{ marginBottom: 12 }}>
          <Select<AdminTaskRow["status"] | "all">
            style={{ width: 160 }}
            aria-label={t("tasks.filterStatus")}
            value={status ?? "all"}
            onChange={(v) => {
              setStatus(v === "all" ? undefined : v);
              setPage(1);
            }}
            options={[{ value: "all", label: t("tasks.allStatus") }, ...STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))]}
          />
        </Flex>
        <Table<AdminTaskRow>
          rowKey="id"
          loading={tasks.isPending}
          dataSource={tasks.data?.items ?? []}
          scroll={{ x: 960 }}
          pagination={{ current: page, pageSize: 20, total: tasks.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
          columns={[
            { title: "ID", dataIndex: "id", width: 70 },
            { title: t("tasks.name"), dataIndex: "name" },
            { title: t("admin.user"), dataIndex: "username", width: 130, render: (v: string, r) => <Link to={`/admin/users/${r.user_id}`}>{v}</Link> },
            { title: t("tasks.status"), key: "s", width: 190, render: (_, r) => <StatusTag status={r.status} reason={r.reason} queue={r.queue_position} /> },
            { title: t("tasks.progress"), key: "p", width: 220, render: (_, r) => <TaskProgress task={r} compact /> },
            { title: t("tasks.created"), dataIndex: "created_at", width: 170, render: (v: string) => when(v) },
            { title: t("tasks.actions"), key: "a", width: 120, render: (_, r) => <ForceStop task={r} /> },
          ]}
        />
      </Card>
    </>
  );
}
