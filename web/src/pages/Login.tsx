import { LockOutlined, UserOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { api, tokenStore, unwrap } from "../api/client";
import { useErrorText } from "../api/errors";
import { usePageTitle } from "../components/usePageTitle";
import { useI18n } from "../i18n";
import { sessionEndedText, signIn } from "../session";

export default function Login() {
  const { t } = useI18n();
  usePageTitle(t("auth.login"));
  const errorText = useErrorText();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  // Only same-site paths: `next` comes from the URL and must not send the user elsewhere.
  const next = params.get("next")?.startsWith("/") && !params.get("next")?.startsWith("//") ? params.get("next")! : "/";
  // Why the last session ended (set by the app when the server ended it), until the user signs in again.
  const ended = params.get("ended");
  const login = useMutation({
    mutationFn: (v: { username: string; password: string }) => unwrap(api.POST("/api/auth/login", { body: v })),
    onSuccess: (r) => {
      signIn(qc, r.access_token, r.user);
      navigate(next, { replace: true });
    },
  });
  if (tokenStore.get() && !login.isSuccess) return <Navigate to={next} replace />;
  return (
    <Card>
      <Typography.Title level={1} style={{ fontSize: 24, marginTop: 0 }}>
        {t("auth.login")}
      </Typography.Title>
      {ended && !login.error && <Alert type="warning" showIcon title={t(sessionEndedText(ended))} style={{ marginBottom: 16 }} data-testid="session-ended" />}
      {login.error && <Alert type="error" showIcon title={errorText(login.error, { unauthorized: "auth.badCredentials" })} style={{ marginBottom: 16 }} data-testid="login-error" />}
      {/* A stale error must not outlive the values it was about. */}
      <Form layout="vertical" onFinish={login.mutate} onValuesChange={() => login.error && login.reset()} requiredMark={false} size="large">
        <Form.Item name="username" label={t("auth.usernameOrEmail")} rules={[{ required: true, message: t("auth.required", { field: t("auth.usernameOrEmail") }) }]}>
          <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item name="password" label={t("auth.password")} rules={[{ required: true, message: t("auth.required", { field: t("auth.password") }) }]}>
          <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={login.isPending}>
          {t("auth.login")}
        </Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0, display: "flex", justifyContent: "space-between", flexWrap: "wrap", gap: 8 }}>
        <span>
          {t("auth.noAccount")} <Link to="/register">{t("auth.register")}</Link>
        </span>
        <Link to="/forgot-password" className="tap">{t("auth.forgot")}</Link>
      </Typography.Paragraph>
    </Card>
  );
}
