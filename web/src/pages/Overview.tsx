import { ArrowRightOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Col, Empty, List, Row, Statistic, Steps, Typography } from "antd";
import { Link, useNavigate } from "react-router";
import { api, unwrap } from "../api/client";
import { useConfig, useProfile, useRelays, useTaskList, type TaskRow } from "../api/queries";
import { StatusTag } from "../components/StatusTag";
import { TaskProgress } from "../components/TaskProgress";
import { usePageTitle } from "../components/usePageTitle";
import { useI18n } from "../i18n";
import { pct, when } from "../lib/format";
import { UserData } from "../components/UserData";
import { VerifyEmailNotice } from "../components/VerifyEmailNotice";
import { useLiveTasks } from "../live/sync";
import { QR_PAGE } from "@shared/links";

export default function Overview() {
  const { t } = useI18n();
  usePageTitle(t("nav.overview"));
  const config = useConfig();
  const profile = useProfile();
  const recent = useTaskList(1, 6);
  const running = useQuery({
    queryKey: ["tasks", "running-overview"],
    queryFn: async (): Promise<TaskRow[]> => {
      // Paused tasks that wait for the user (captcha, closed chapter) belong with the running ones.
      const [r, p] = await Promise.all(
        (["running", "paused"] as const).map((status) => unwrap(api.GET("/api/tasks", { params: { query: { status, page_size: 20 } } }))),
      );
      return [...r.items, ...p.items];
    },
  });
  useLiveTasks(running.data?.filter((x) => x.status === "running" || x.status === "paused").map((x) => x.id) ?? []);

  const relays = useRelays();
  const stats = profile.data?.statistics;
  const hasAccount = Boolean(config.data?.cx_username && (config.data.cx_password_set || config.data.cx_login === "qr"));
  const hasTask = (stats?.tasks.total ?? 0) > 0;
  const hasStarted = (stats?.tasks.total ?? 0) > (stats?.tasks.pending ?? 0);
  const newUser = profile.data !== undefined && !hasTask;
  // The steps in the order they must be done: the relay first where Chaoxing is reached through it
  // (nothing reaches Chaoxing before it is online and confirmed as the user's own, not even saving the
  // account's test login or a QR scan).
  const guide = [
    ...(relays.data?.egress === "relay"
      ? [{ key: "relay", title: t("overview.stepRelay"), text: t("overview.stepRelayD"), to: "/relay", done: relays.data.relays.some((r) => r.online && r.confirmed) }]
      : []),
    { key: "account", title: t("overview.step1"), text: t("overview.step1d"), to: QR_PAGE, done: hasAccount },
    { key: "task", title: t("overview.step2"), text: t("overview.step2d"), to: "/courses", done: hasTask },
    { key: "start", title: t("overview.step3"), text: t("overview.step3d"), to: "/tasks", done: hasStarted },
  ];
  const current = guide.findIndex((g) => !g.done);
  const guideCard = (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("overview.guide")}</h2>}>
      <Steps
        orientation="vertical"
        size="small"
        current={current < 0 ? guide.length : current}
        items={guide.map((g, i) => ({
          title: (
            <span data-testid={`guide-${g.key}`} data-done={g.done ? "yes" : "no"}>
              {g.title}
              {g.done && <span className="sr-only"> ({t("overview.done")})</span>}
            </span>
          ),
          status: g.done ? "finish" : i === current ? "process" : "wait",
          content: <StepBody text={g.text} to={g.to} show={i === current} />,
        }))}
      />
    </Card>
  );

  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.overview")}</Typography.Title>
      </div>
      <Alert type="warning" showIcon title={t("app.free")} style={{ marginBottom: 16 }} data-testid="free-notice" />
      <VerifyEmailNotice />
      {/* A new user's first screen is what to do first, not four cards of zeros and two empty lists. */}
      {newUser ? (
        <Row gutter={[16, 16]}>
        <Col xs={24}>
          {guideCard}
        </Col>
        </Row>
      ) : (
        <Row gutter={[16, 16]}>
        {[
          { k: t("status.running"), v: stats?.tasks.running },
          { k: t("status.completed"), v: stats?.tasks.completed },
          { k: t("overview.studyHours"), v: stats ? Math.round((stats.study_seconds / 3600) * 10) / 10 : undefined },
          { k: t("overview.jobsDone"), v: stats?.jobs_completed },
        ].map((s) => (
          <Col xs={12} md={6} key={s.k}>
            <Card size="small">
              <Statistic title={s.k} value={s.v ?? "—"} loading={profile.isPending} />
            </Card>
          </Col>
        ))}
        <Col xs={24} lg={14}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("overview.running")}</h2>} extra={<Link to="/tasks" className="tap">{t("overview.allTasks")}</Link>}>
            <List
              loading={running.isPending}
              dataSource={running.data ?? []}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("overview.noRunning")} /> }}
              renderItem={(task) => (
                <List.Item key={task.id}>
                  <div style={{ width: "100%" }}>
                    <div style={{ display: "flex", justifyContent: "space-between", gap: 8, flexWrap: "wrap" }}>
                      <Link to={`/tasks/${task.id}`} className="tap" style={{ overflowWrap: "anywhere" }}>
                        <UserData>{task.name}</UserData>
                      </Link>
                      <StatusTag task={task} />
                    </div>
                    <TaskProgress task={task} />
                  </div>
                </List.Item>
              )}
            />
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          {guideCard}
        </Col>
        <Col xs={24}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("overview.recent")}</h2>}>
            <List
              loading={recent.isPending}
              dataSource={recent.data?.items ?? []}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("overview.noRecent")} /> }}
              renderItem={(task) => (
                <List.Item key={task.id} extra={<Typography.Text type="secondary" className="hide-sm">{when(task.end_time ?? task.created_at)}</Typography.Text>}>
                  <List.Item.Meta
                    title={
                      <Link to={`/tasks/${task.id}`} className="tap" style={{ overflowWrap: "anywhere" }}>
                        <UserData>{task.name}</UserData>
                      </Link>
                    }
                    description={<StatusTag task={task} />}
                  />
                  <span style={{ minWidth: 48, textAlign: "end" }}>{pct(task.progress)}%</span>
                </List.Item>
              )}
            />
          </Card>
        </Col>
        </Row>
      )}
    </>
  );
}

function StepBody({ text, to, show }: { text: string; to: string; show: boolean }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <>
      <div>{text}</div>
      {show && (
        <Button type="primary" size="small" icon={<ArrowRightOutlined />} style={{ marginTop: 8 }} onClick={() => navigate(to)}>
          {t("overview.go")}
        </Button>
      )}
    </>
  );
}
