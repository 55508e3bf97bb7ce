import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { Link, Navigate, useNavigate } from "react-router";
import { useState } from "react";
import { api, ApiFailure, tokenStore, unwrap, type Body } from "../api/client";
import { applyFieldErrors, useErrorText } from "../api/errors";
import { NewPasswordFields } from "../components/NewPasswordFields";
import { usePageTitle } from "../components/usePageTitle";
import { useI18n } from "../i18n";
import { solveChallenge } from "../lib/pow";
import { signIn } from "../session";

type Values = Body<"/api/auth/register", "post"> & { confirm: string };

export default function Register() {
  const { t, lang } = useI18n();
  usePageTitle(t("auth.register"));
  const errorText = useErrorText();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [proving, setProving] = useState(false);
  const register = useMutation({
    mutationFn: async ({ confirm: _confirm, ...fields }: Values) => {
      // The language this page is read in: the verification mail (and later notifications) come in it.
      const body = { ...fields, language: lang === "en" ? ("en" as const) : ("zh-CN" as const) };
      try {
        return await unwrap(api.POST("/api/auth/register", { body }));
      } catch (e) {
        // Many sign-ups from this address (a campus network): prove a little work, then try once more.
        if (!(e instanceof ApiFailure && e.code === "pow_required")) throw e;
        setProving(true);
        try {
          const ch = await unwrap(api.GET("/api/auth/challenge"));
          const nonce = await solveChallenge(ch.challenge, ch.bits);
          return await unwrap(api.POST("/api/auth/register", { body: { ...body, pow: { challenge: ch.challenge, nonce } } }));
        } finally {
          setProving(false);
        }
      }
    },
    onSuccess: (r) => {
      signIn(qc, r.access_token, r.user);
      navigate("/", { replace: true });
    },
    onError: (e) => applyFieldErrors(form, e, t),
  });
  if (tokenStore.get() && !register.isSuccess) return <Navigate to="/" replace />;
  const req = (field: string) => ({ required: true, message: t("auth.required", { field }) });
  return (
    <Card>
      <Typography.Title level={1} style={{ fontSize: 24, marginTop: 0 }}>
        {t("auth.register")}
      </Typography.Title>
      {register.error && <Alert type="error" showIcon title={errorText(register.error)} style={{ marginBottom: 16 }} data-testid="register-error" />}
      {/* "用户名已存在" is about the name that was sent: it goes as soon as the user edits. */}
      <Form form={form} layout="vertical" onFinish={register.mutate} onValuesChange={() => register.error && register.reset()} requiredMark={false}>
        <Form.Item name="username" label={t("auth.username")} extra={t("auth.usernameRule")} rules={[req(t("auth.username")), { min: 3, max: 32, message: t("auth.usernameRule") }, { pattern: /^[A-Za-z0-9_.\-\u4e00-\u9fa5]+$/, message: t("auth.usernameRule") }]}>
          <Input autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item name="email" label={t("auth.email")} rules={[req(t("auth.email")), { type: "email" }]}>
          <Input autoComplete="email" inputMode="email" />
        </Form.Item>
        <NewPasswordFields name="password" label={t("auth.password")} />
        <Button type="primary" htmlType="submit" block size="large" loading={register.isPending}>
          {proving ? t("auth.proving") : t("auth.register")}
        </Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0 }}>
        {t("auth.haveAccount")} <Link to="/login">{t("auth.login")}</Link>
      </Typography.Paragraph>
    </Card>
  );
}
