import { useQuery } from "@tanstack/react-query";
import { Alert, Card, Col, List, Row, Statistic, Table, Typography } from "antd";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { keys, useAdminStatistics, useAdminTasks, type AdminTaskRow } from "../../api/queries";
import { ForceStop } from "../../components/ForceStop";
import { StatusTag } from "../../components/StatusTag";
import { TaskProgress } from "../../components/TaskProgress";
import { usePageTitle } from "../../components/usePageTitle";
import { useI18n } from "../../i18n";
import { when } from "../../lib/format";
import { useLiveTasks } from "../../live/sync";

export default function AdminOverview() {
  const { t } = useI18n();
  usePageTitle(t("nav.adminOverview"));
  const stats = useAdminStatistics();
  const running = useAdminTasks(1, "running");
  const users = useQuery({ queryKey: [...keys.admin, "users", "newest"], queryFn: () => unwrap(api.GET("/api/admin/users", { params: { query: { page: 1, page_size: 6 } } })) });
  useLiveTasks(running.data?.items.map((x) => x.id) ?? []);
  const s = stats.data;
  const cards = [
    { k: t("admin.todayCompleted"), v: s?.todayCompleted },
    { k: t("admin.todayFailed"), v: s?.todayFailed },
    { k: t("admin.successRate"), v: s ? `${s.successRate}%` : undefined },
    { k: t("admin.runningTasks"), v: s?.runningTasks },
    { k: t("admin.totalUsers"), v: s?.totalUsers },
    { k: t("admin.activeUsers"), v: s?.activeUsers },
  ];
  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.adminOverview")}</Typography.Title>
      </div>
      {stats.error && <Alert type="error" showIcon title={stats.error.message} style={{ marginBottom: 16 }} />}
      {s?.warnings.map((w) => <Alert key={w} type="warning" showIcon title={w} style={{ marginBottom: 8 }} />)}
      <Row gutter={[16, 16]}>
        {cards.map((c) => (
          <Col xs={12} md={8} xl={4} key={c.k}>
            <Card size="small">
              <Statistic title={c.k} value={c.v ?? "—"} loading={stats.isPending} />
            </Card>
          </Col>
        ))}
        <Col xs={24} xl={16}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.runningTasks")}</h2>} extra={<Link to="/admin/tasks">{t("nav.adminTasks")}</Link>}>
            <Table<AdminTaskRow>
              size="small"
              rowKey="id"
              loading={running.isPending}
              dataSource={running.data?.items ?? []}
              pagination={false}
              scroll={{ x: 640 }}
              columns={[
                { title: t("tasks.name"), dataIndex: "name" },
                { title: t("admin.user"), dataIndex: "username", width: 120 },
                { title: t("tasks.status"), key: "s", width: 160, render: (_, r) => <StatusTag status={r.status} reason={r.reason} queue={r.queue_position} /> },
                { title: t("tasks.progress"), key: "p", width: 220, render: (_, r) => <TaskProgress task={r} compact /> },
                { title: t("tasks.actions"), key: "a", width: 120, render: (_, r) => <ForceStop task={r} /> },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.newestUsers")}</h2>} extra={<Link to="/admin/users">{t("nav.adminUsers")}</Link>}>
            <List
              loading={users.isPending}
              dataSource={users.data?.items ?? []}
              renderItem={(u) => (
                <List.Item key={u.id} extra={<Typography.Text type="secondary">{when(u.created_at).slice(0, 10)}</Typography.Text>}>
                  <List.Item.Meta title={<Link to={`/admin/users/${u.id}`}>{u.username}</Link>} description={u.email} />
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
