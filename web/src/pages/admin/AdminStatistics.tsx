import { Alert, Card, Col, Row, Skeleton, Statistic, Typography, theme } from "antd";
import { useAdminStatistics } from "../../api/queries";
import { BarChart } from "../../components/BarChart";
import { usePageTitle } from "../../components/usePageTitle";
import { useI18n } from "../../i18n";

export default function AdminStatistics() {
  const { t } = useI18n();
  usePageTitle(t("nav.adminStats"));
  const { token } = theme.useToken();
  const stats = useAdminStatistics();
  if (stats.isPending) return <Skeleton active />;
  if (stats.error) return <Alert type="error" showIcon title={stats.error.message} />;
  const s = stats.data;
  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.adminStats")}</Typography.Title>
      </div>
      <Row gutter={[16, 16]}>
        {[
          { k: t("admin.totalUsers"), v: s.totalUsers },
          { k: t("admin.activeUsers"), v: s.activeUsers },
          { k: t("admin.totalTasks"), v: s.totalTasks },
          { k: t("admin.upstreamFailures"), v: s.upstreamFailures ?? "—" },
        ].map((c) => (
          <Col xs={12} md={6} key={c.k}>
            <Card size="small">
              <Statistic title={c.k} value={c.v} />
            </Card>
          </Col>
        ))}
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.taskOutcomes")}</h2>}>
            <BarChart
              title={t("admin.taskOutcomes")}
              bars={[
                { label: t("status.running"), value: s.runningTasks, color: token.colorPrimary },
                { label: t("status.completed"), value: s.completedTasks, color: token.colorSuccess },
                { label: t("status.failed"), value: s.failedTasks, color: token.colorError },
                { label: t("admin.todayCompleted"), value: s.todayCompleted, color: token.colorSuccessBorder },
                { label: t("admin.todayFailed"), value: s.todayFailed, color: token.colorErrorBorder },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.studyHoursByDay")}</h2>}>
            <BarChart title={t("admin.studyHoursByDay")} unit="h" bars={(s.studyHoursByDay ?? []).map((d) => ({ label: d.date.slice(5), value: d.hours }))} />
          </Card>
        </Col>
      </Row>
    </>
  );
}
