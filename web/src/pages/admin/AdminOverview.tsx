import { useQuery } from "@tanstack/react-query";
import { Alert, Card, Col, List, Row, Statistic, Table, Typography } from "antd";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useErrorText } from "../../api/errors";
import { keys, useAdminStatistics, useAdminTasks, useMe, type AdminTaskRow } from "../../api/queries";
import { CardList, ListCard, useIsPhone } from "../../components/CardList";
import { ForceStop } from "../../components/ForceStop";
import { CodedText } from "../../components/ServerText";
import { UserData } from "../../components/UserData";
import { StatusTag } from "../../components/StatusTag";
import { TaskProgress } from "../../components/TaskProgress";
import { usePageTitle } from "../../components/usePageTitle";
import { useI18n } from "../../i18n";
import { when } from "../../lib/format";
import { useLiveTasks } from "../../live/sync";

export default function AdminOverview() {
  const { t } = useI18n();
  usePageTitle(t("nav.adminOverview"));
  const errorText = useErrorText();
  const phone = useIsPhone();
  const me = useMe();
  const viewer = (r: AdminTaskRow) => (r.user_id === me.data?.id ? "self" : "other");
  const name = (r: AdminTaskRow) => (
    <Link to={`/admin/tasks/${r.id}`} className="tap">
      <UserData>{r.name}</UserData>
    </Link>
  );
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
      {stats.error && <Alert type="error" showIcon title={errorText(stats.error)} style={{ marginBottom: 16 }} />}
      {/* Each warning's code and figures (`warning_codes`), worded here; `warning_messages` is the same in Chinese (`warnings` counts them). */}
      {s?.warning_codes.map((w, i) => (
        <Alert key={w.code} type="warning" showIcon title={t("admin.warning")} description={<CodedText code={w.code} params={w.params} text={s.warning_messages[i]} />} style={{ marginBottom: 8 }} />
      ))}
      <Row gutter={[16, 16]}>
        {cards.map((c) => (
          <Col xs={12} md={8} xl={4} key={c.k}>
            <Card size="small">
              <Statistic title={c.k} value={c.v ?? "—"} loading={stats.isPending} />
            </Card>
          </Col>
        ))}
        <Col xs={24} xl={16}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.runningTasks")}</h2>} extra={<Link to="/admin/tasks" className="tap">{t("nav.adminTasks")}</Link>}>
            {phone ? (
              <CardList
                items={running.data?.items ?? []}
                rowKey={(r) => r.id}
                loading={running.isPending}
                render={(r) => (
                  <ListCard title={name(r)} status={<StatusTag task={r} viewer={viewer(r)} />} action={<ForceStop task={r} />}>
                    <TaskProgress task={r} compact />
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t("admin.user")} <UserData>{r.username}</UserData>
                    </Typography.Text>
                  </ListCard>
                )}
              />
            ) : (
              <Table<AdminTaskRow>
                size="small"
                rowKey="id"
                loading={running.isPending}
                dataSource={running.data?.items ?? []}
                pagination={false}
                className="wide-table"
                columns={[
                  { title: t("tasks.name"), dataIndex: "name", render: (_: string, r) => name(r) },
                  { title: t("admin.user"), dataIndex: "username", width: 120, render: (v: string) => <UserData>{v}</UserData> },
                  { title: t("tasks.status"), key: "s", width: 160, render: (_, r) => <StatusTag task={r} viewer={viewer(r)} /> },
                  { title: t("tasks.progress"), key: "p", width: 220, render: (_, r) => <TaskProgress task={r} compact /> },
                  { title: t("tasks.actions"), key: "a", width: 120, render: (_, r) => <ForceStop task={r} /> },
                ]}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.newestUsers")}</h2>} extra={<Link to="/admin/users" className="tap">{t("nav.adminUsers")}</Link>}>
            <List
              loading={users.isPending}
              dataSource={users.data?.items ?? []}
              renderItem={(u) => (
                <List.Item key={u.id} extra={<Typography.Text type="secondary">{when(u.created_at).slice(0, 10)}</Typography.Text>}>
                  <List.Item.Meta
                    title={
                      <Link to={`/admin/users/${u.id}`} className="tap">
                        <UserData>{u.username}</UserData>
                      </Link>
                    }
                    description={<UserData>{u.email}</UserData>}
                  />
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
