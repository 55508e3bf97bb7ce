import { useMutation } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Descriptions, Form, Input, Row, Skeleton, Statistic, Tag, Typography, theme } from "antd";
import { api, unwrap, type Body } from "../api/client";
import { applyFieldErrors, useErrorText } from "../api/errors";
import { useProfile } from "../api/queries";
import { BarChart } from "../components/BarChart";
import { UserData } from "../components/UserData";
import { STATUSES } from "../components/StatusTag";
import { usePageTitle } from "../components/usePageTitle";
import { useI18n } from "../i18n";
import { when } from "../lib/format";
import { NewPasswordFields } from "../components/NewPasswordFields";

export default function Profile() {
  const { t } = useI18n();
  usePageTitle(t("nav.profile"));
  const { token } = theme.useToken();
  const errorText = useErrorText();
  const profile = useProfile();
  if (profile.isPending) return <Skeleton active />;
  if (profile.error) return <Alert type="error" title={errorText(profile.error)} />;
  const { user, statistics: s } = profile.data;
  const colors = { pending: token.colorTextQuaternary, running: token.colorPrimary, paused: token.colorWarning, completed: token.colorSuccess, failed: token.colorError, cancelled: token.colorTextTertiary };
  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.profile")}</Typography.Title>
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("profile.info")}</h2>}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t("auth.username")}>
                <UserData>{user.username}</UserData>
              </Descriptions.Item>
              <Descriptions.Item label={t("auth.email")}>
                <UserData>{user.email}</UserData>
              </Descriptions.Item>
              <Descriptions.Item label={t("profile.role")}>
                <Tag color={user.role === "admin" ? "purple" : undefined}>{t(`role.${user.role}`)}</Tag>
              </Descriptions.Item>
              <Descriptions.Item label={t("profile.created")}>{when(user.created_at)}</Descriptions.Item>
              <Descriptions.Item label={t("profile.lastLogin")}>{when(user.last_login)}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("profile.stats")}</h2>}>
            <Row gutter={16}>
              <Col xs={12} sm={8}>
                <Statistic title={t("profile.totalTasks")} value={s.tasks.total} />
              </Col>
              <Col xs={12} sm={8}>
                <Statistic title={t("overview.studyHours")} value={Math.round((s.study_seconds / 3600) * 10) / 10} />
              </Col>
              <Col xs={12} sm={8}>
                <Statistic title={t("overview.jobsDone")} value={s.jobs_completed} />
              </Col>
            </Row>
            <Typography.Title level={3} style={{ fontSize: 14, marginTop: 16 }}>
              {t("profile.tasksByStatus")}
            </Typography.Title>
            <BarChart title={t("profile.tasksByStatus")} bars={STATUSES.map((k) => ({ label: t(`status.${k}`), value: s.tasks[k], color: colors[k] }))} />
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <ChangePassword />
        </Col>
      </Row>
    </>
  );
}

function ChangePassword() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const [form] = Form.useForm<Body<"/api/user/password", "put"> & { confirm: string }>();
  const change = useMutation({
    mutationFn: ({ old_password, new_password }: Body<"/api/user/password", "put">) => unwrap(api.PUT("/api/user/password", { body: { old_password, new_password } })),
    onSuccess: () => {
      message.success(t("profile.passwordChanged"));
      form.resetFields();
    },
    onError: (e) => applyFieldErrors(form, e, t) || form.setFields([{ name: "old_password", errors: [errorText(e)] }]),
  });
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("profile.changePassword")}</h2>}>
      <Form form={form} layout="vertical" onFinish={change.mutate} requiredMark={false}>
        <Form.Item name="old_password" label={t("auth.oldPassword")} rules={[{ required: true, message: t("auth.required", { field: t("auth.oldPassword") }) }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <NewPasswordFields name="new_password" label={t("auth.newPassword")} />
        <Button type="primary" htmlType="submit" loading={change.isPending}>
          {t("profile.changePassword")}
        </Button>
      </Form>
    </Card>
  );
}
