import { Alert, Card, Col, Row, Skeleton, Statistic, Typography, theme } from "antd";
import { useErrorText } from "../../api/errors";
import { useAdminStatistics } from "../../api/queries";
import { BarChart } from "../../components/BarChart";
import { STATUSES } from "../../components/StatusTag";
import { usePageTitle } from "../../components/usePageTitle";
import { useI18n } from "../../i18n";

export default function AdminStatistics() {
  const { t } = useI18n();
  usePageTitle(t("nav.adminStats"));
  const { token } = theme.useToken();
  const errorText = useErrorText();
  const stats = useAdminStatistics();
  if (stats.isPending) return <Skeleton active />;
  if (stats.error) return <Alert type="error" showIcon title={errorText(stats.error)} />;
  const s = stats.data;
  const colors = { pending: token.colorTextQuaternary, running: token.colorPrimary, paused: token.colorWarning, completed: token.colorSuccess, failed: token.colorError, cancelled: token.colorTextTertiary };
  const up = s.upstreamFailures;
  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.adminStats")}</Typography.Title>
      </div>
      <Row gutter={[16, 16]}>
        {/* Each figure says what it counts: a 100 % beside a 2.9 % means nothing without it. */}
        {[
          { k: t("admin.totalUsers"), v: s.totalUsers, d: t("admin.def.totalUsers") },
          { k: t("admin.newUsers7d"), v: s.users.new7d, d: t("admin.def.newUsers7d") },
          { k: t("admin.totalTasks"), v: s.totalTasks, d: t("admin.def.totalTasks") },
          { k: t("admin.successRate"), v: `${s.successRate}%`, d: t("admin.def.successRate", { completed: s.completedTasks, failed: s.failedTasks }) },
          { k: t("admin.completionRate"), v: `${s.completionRate}%`, d: t("admin.def.completionRate", { completed: s.completedTasks, cancelled: s.tasksByStatus.cancelled }) },
          { k: t("admin.studyHoursTotal"), v: s.studyHoursTotal, d: t("admin.def.studyHours") },
          { k: t("overview.jobsDone"), v: s.jobsCompleted, d: t("admin.def.jobs") },
          { k: t("admin.upstreamFailures"), v: up.total, d: t("admin.def.upstream") },
        ].map((c) => (
          <Col xs={12} md={6} key={c.k}>
            <Card size="small" style={{ height: "100%" }}>
              <Statistic title={c.k} value={c.v} />
              <Typography.Text type="secondary" style={{ fontSize: 12, display: "block", marginTop: 4 }} data-testid="stat-definition">
                {c.d}
              </Typography.Text>
            </Card>
          </Col>
        ))}
        <Col xs={24}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.studyHoursByDay")}</h2>}>
            <BarChart title={t("admin.studyHoursByDay")} unit="h" bars={s.studyHoursByDay.map((d) => ({ label: d.day.slice(8), value: d.hours }))} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.taskOutcomes")}</h2>}>
            <BarChart title={t("admin.taskOutcomes")} bars={STATUSES.map((k) => ({ label: t(`status.${k}`), value: s.tasksByStatus[k], color: colors[k] }))} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.upstreamFailures")}</h2>}>
            <BarChart
              title={t("admin.upstreamFailures")}
              bars={[
                { label: t("admin.up.captcha"), value: up.captcha, color: token.colorWarning },
                { label: t("admin.up.studyCap"), value: up.studyCap },
                { label: t("admin.up.sessionExpired"), value: up.sessionExpired },
                { label: t("admin.up.forbidden"), value: up.forbidden, color: token.colorError },
                // Counted on its own: a paused task whose student must wait, not a flaky answer.
                { label: t("admin.up.riskControl"), value: up.riskControl, color: token.colorError },
                { label: t("admin.up.transient"), value: up.transient },
                { label: t("admin.up.other"), value: up.other, color: token.colorTextTertiary },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
