import { useMutation } from "@tanstack/react-query";
import { Alert, App, Button, Card, Form, Typography } from "antd";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, unwrap } from "../api/client";
import { NewPasswordFields } from "../components/NewPasswordFields";
import { usePageTitle } from "../components/usePageTitle";
import { useI18n } from "../i18n";

export default function ResetPassword() {
  const { t } = useI18n();
  usePageTitle(t("auth.resetTitle"));
  const { message } = App.useApp();
  const navigate = useNavigate();
  const token = useSearchParams()[0].get("token") ?? "";
  const reset = useMutation({
    mutationFn: (v: { new_password: string }) => unwrap(api.POST("/api/auth/reset-password", { body: { token, new_password: v.new_password } })),
    onSuccess: (r) => {
      message.success(r.message);
      navigate("/login", { replace: true });
    },
  });
  return (
    <Card>
      <Typography.Title level={1} style={{ fontSize: 24, marginTop: 0 }}>
        {t("auth.resetTitle")}
      </Typography.Title>
      {!token && <Alert type="error" showIcon title={t("auth.resetMissing")} style={{ marginBottom: 16 }} />}
      {reset.error && <Alert type="error" showIcon title={reset.error.message} style={{ marginBottom: 16 }} />}
      <Form layout="vertical" onFinish={reset.mutate} requiredMark={false} disabled={!token}>
        <NewPasswordFields name="new_password" label={t("auth.newPassword")} autoFocus />
        <Button type="primary" htmlType="submit" block loading={reset.isPending}>
          {t("auth.resetSubmit")}
        </Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0 }}>
        <Link to="/login">{t("auth.backToLogin")}</Link>
      </Typography.Paragraph>
    </Card>
  );
}
