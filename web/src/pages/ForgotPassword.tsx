import { useMutation } from "@tanstack/react-query";
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import { useErrorText } from "../api/errors";
import { usePageTitle } from "../components/usePageTitle";
import { useI18n } from "../i18n";

export default function ForgotPassword() {
  const { t } = useI18n();
  usePageTitle(t("auth.forgotTitle"));
  const errorText = useErrorText();
  const send = useMutation({ mutationFn: (v: { email: string }) => unwrap(api.POST("/api/auth/forgot-password", { body: v })) });
  return (
    <Card>
      <Typography.Title level={1} style={{ fontSize: 24, marginTop: 0 }}>
        {t("auth.forgotTitle")}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t("auth.forgotHint")}</Typography.Paragraph>
      {send.isSuccess && <Alert type="success" showIcon title={t("auth.forgotSent")} style={{ marginBottom: 16 }} data-testid="forgot-sent" />}
      {send.error && <Alert type="error" showIcon title={errorText(send.error)} style={{ marginBottom: 16 }} />}
      <Form layout="vertical" onFinish={send.mutate} onValuesChange={() => (send.error || send.isSuccess) && send.reset()} requiredMark={false}>
        <Form.Item name="email" label={t("auth.email")} rules={[{ required: true, message: t("auth.required", { field: t("auth.email") }) }, { type: "email" }]}>
          <Input autoComplete="email" inputMode="email" autoFocus />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={send.isPending}>
          {t("auth.sendReset")}
        </Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0 }}>
        <Link to="/login" className="tap">{t("auth.backToLogin")}</Link>
      </Typography.Paragraph>
    </Card>
  );
}
