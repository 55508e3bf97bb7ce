import { useMutation } from "@tanstack/react-query";
import { Alert, App, Button, Card, Form, Input, Typography } from "antd";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, unwrap } from "../api/client";
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
        <Form.Item name="new_password" label={t("auth.newPassword")} extra={t("auth.passwordRule")} rules={[{ required: true, message: t("auth.required", { field: t("auth.newPassword") }) }, { min: 8, message: t("auth.passwordRule") }]}>
          <Input.Password autoComplete="new-password" autoFocus />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t("auth.confirmPassword")}
          dependencies={["new_password"]}
          rules={[({ getFieldValue }) => ({ validator: (_, v) => (v === getFieldValue("new_password") ? Promise.resolve() : Promise.reject(new Error(t("auth.passwordMismatch")))) })]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
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
