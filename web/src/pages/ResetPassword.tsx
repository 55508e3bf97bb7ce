import { useMutation } from "@tanstack/react-query";
import { Alert, App, Button, Card, Form, Typography } from "antd";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, ApiFailure, unwrap } from "../api/client";
import { useErrorText } from "../api/errors";
import { NewPasswordFields } from "../components/NewPasswordFields";
import { usePageTitle } from "../components/usePageTitle";
import { useI18n } from "../i18n";

export default function ResetPassword() {
  const { t } = useI18n();
  usePageTitle(t("auth.resetTitle"));
  const { message } = App.useApp();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const token = useSearchParams()[0].get("token") ?? "";
  const reset = useMutation({
    mutationFn: (v: { new_password: string }) => unwrap(api.POST("/api/auth/reset-password", { body: { token, new_password: v.new_password } })),
    onSuccess: () => {
      message.success(t("auth.resetDone"));
      navigate("/login", { replace: true });
    },
  });
  // A link without a token, or one the server refused (used, expired, mistyped): the way out is a new mail.
  const badLink = !token || (reset.error instanceof ApiFailure && reset.error.code === "invalid_reset_token");
  const askAgain = (
    <Button size="small" onClick={() => navigate("/forgot-password")} data-testid="ask-new-link">
      {t("auth.askNewLink")}
    </Button>
  );
  return (
    <Card>
      <Typography.Title level={1} style={{ fontSize: 24, marginTop: 0 }}>
        {t("auth.resetTitle")}
      </Typography.Title>
      {badLink ? (
        <Alert type="error" showIcon title={t(token ? "auth.resetInvalid" : "auth.resetMissing")} action={askAgain} style={{ marginBottom: 16 }} data-testid="reset-error" />
      ) : (
        reset.error && <Alert type="error" showIcon title={errorText(reset.error)} style={{ marginBottom: 16 }} data-testid="reset-error" />
      )}
      <Form layout="vertical" onFinish={reset.mutate} onValuesChange={() => reset.error && !badLink && reset.reset()} requiredMark={false} disabled={!token}>
        <NewPasswordFields name="new_password" label={t("auth.newPassword")} autoFocus />
        <Button type="primary" htmlType="submit" block loading={reset.isPending}>
          {t("auth.resetSubmit")}
        </Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0 }}>
        <Link to="/login" className="tap">{t("auth.backToLogin")}</Link>
      </Typography.Paragraph>
    </Card>
  );
}
