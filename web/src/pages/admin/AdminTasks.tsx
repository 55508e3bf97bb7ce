import { Card, Flex, Select, Table, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router";
import { useAdminTasks, useMe, type AdminTaskRow } from "../../api/queries";
import { CardList, ListCard, useIsPhone } from "../../components/CardList";
import { ForceStop } from "../../components/ForceStop";
import { STATUSES, StatusTag } from "../../components/StatusTag";
import { TaskProgress } from "../../components/TaskProgress";
import { usePageTitle } from "../../components/usePageTitle";
import { UserData } from "../../components/UserData";
import { useI18n } from "../../i18n";
import { when } from "../../lib/format";
import { useLiveTasks } from "../../live/sync";

export default function AdminTasks() {
  const { t } = useI18n();
  usePageTitle(t("nav.adminTasks"));
  const phone = useIsPhone();
  const me = useMe();
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<AdminTaskRow["status"] | undefined>();
  const tasks = useAdminTasks(page, status);
  useLiveTasks(tasks.data?.items.filter((x) => x.status === "running").map((x) => x.id) ?? []);
  const rows = tasks.data?.items ?? [];
  const viewer = (r: AdminTaskRow) => (r.user_id === me.data?.id ? "self" : "other");
  const name = (r: AdminTaskRow) => (
    <Link to={`/admin/tasks/${r.id}`} className="tap">
      <UserData>{r.name}</UserData>
    </Link>
  );
  const owner = (r: AdminTaskRow) => (
    <Link to={`/admin/users/${r.user_id}`} className="tap">
      <UserData>{r.username}</UserData>
    </Link>
  );
  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.adminTasks")}</Typography.Title>
      </div>
      <Card styles={phone ? { body: { padding: 12 } } : undefined}>
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
        {phone ? (
          <CardList
            items={rows}
            rowKey={(r) => r.id}
            loading={tasks.isPending}
            page={{ current: page, pageSize: 20, total: tasks.data?.total ?? 0, onChange: setPage }}
            render={(r) => (
              <ListCard title={name(r)} status={<StatusTag task={r} viewer={viewer(r)} />} action={<ForceStop task={r} />}>
                <TaskProgress task={r} compact />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t("admin.user")} {owner(r)} · {when(r.created_at)}
                </Typography.Text>
              </ListCard>
            )}
          />
        ) : (
          <Table<AdminTaskRow>
            rowKey="id"
            loading={tasks.isPending}
            dataSource={rows}
            className="wide-table"
            pagination={{ current: page, pageSize: 20, total: tasks.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
            columns={[
              { title: t("common.id"), dataIndex: "id", width: 70 },
              { title: t("tasks.name"), dataIndex: "name", render: (_: string, r) => name(r) },
              { title: t("admin.user"), dataIndex: "username", width: 130, render: (_: string, r) => owner(r) },
              { title: t("tasks.status"), key: "s", width: 190, render: (_, r) => <StatusTag task={r} viewer={viewer(r)} /> },
              { title: t("tasks.progress"), key: "p", width: 220, render: (_, r) => <TaskProgress task={r} compact /> },
              { title: t("tasks.created"), dataIndex: "created_at", width: 170, render: (v: string) => when(v) },
              { title: t("tasks.actions"), key: "a", width: 120, render: (_, r) => <ForceStop task={r} /> },
            ]}
          />
        )}
      </Card>
    </>
  );
}
