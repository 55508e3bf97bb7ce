import { ApiOutlined, SaveOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Form, Input, Modal, Radio, Skeleton, Slider, Space, Typography } from "antd";
import { useEffect, useState } from "react";
import { useBlocker, useSearchParams } from "react-router";
import { api, unwrap, type Body, type Res } from "../api/client";
import { applyFieldErrors, useErrorText } from "../api/errors";
import { keys, useConfig } from "../api/queries";
import { NotificationSettings } from "../components/NotificationSettings";
import { QrBind } from "../components/QrBind";
import { CodedText } from "../components/ServerText";
import { StudyLimitsCard } from "../components/StudyLimitsCard";
import { NOTOPEN, SPEED_MARKS } from "../components/studyOptions";
import { usePageTitle } from "../components/usePageTitle";
import { useI18n } from "../i18n";

type Config = Res<"/api/user/config", "get">;
type Values = { cx_username: string; cx_password: string; speed: number; notopen_action: Config["notopen_action"] };
type TestResult = { ok: boolean; message: string; code?: string | null; params?: Record<string, string> };

function toValues(c: Config): Values {
  return { cx_username: c.cx_username ?? "", cx_password: "", speed: c.speed, notopen_action: c.notopen_action };
}

/**
 * A mainland mobile number as people type it: spaces, dashes and a +86/86 prefix are tolerated and
 * dropped; what is left must be 11 digits starting with 1. The server checks it too.
 */
function normalizePhone(v: string): string | null {
  const digits = v.replace(/[\s-]/g, "").replace(/^\+?86(?=1\d{10}$)/, "");
  return /^1\d{10}$/.test(digits) ? digits : null;
}

export default function Settings() {
  const { t } = useI18n();
  usePageTitle(t("nav.settings"));
  const { message } = App.useApp();
  const errorText = useErrorText();
  const qc = useQueryClient();
  const config = useConfig();
  const [form] = Form.useForm<Values>();
  const [dirty, setDirty] = useState(false);
  const [test, setTest] = useState<TestResult | null>(null);
  // `?bind=qr`: a notification's or the quick start's link to scan (src/shared/links.ts).
  const [params] = useSearchParams();
  const scanNow = params.get("bind") === "qr";

  useEffect(() => {
    if (config.data && !dirty) form.setFieldsValue(toValues(config.data));
  }, [config.data, dirty, form]);

  // Unsaved edits: ask before an in-app navigation, and let the browser ask before a reload/close.
  const blocker = useBlocker(dirty);
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const save = useMutation({
    mutationFn: (v: Values) => {
      const body: Body<"/api/user/config", "put"> = {
        cx_username: v.cx_username.trim() ? normalizePhone(v.cx_username) : null,
        speed: Math.round(v.speed * 10) / 10,
        notopen_action: v.notopen_action,
      };
      // Empty means "keep the saved password" (the API never returns it).
      if (v.cx_password) body.cx_password = v.cx_password;
      return unwrap(api.PUT("/api/user/config", { body }));
    },
    onSuccess: (c) => {
      qc.setQueryData(keys.config, c);
      void qc.invalidateQueries({ queryKey: keys.courses });
      setDirty(false);
      form.setFieldsValue(toValues(c));
      message.success(t("settings.saved"));
    },
    onError: (e) => applyFieldErrors(form, e, t) || message.error(errorText(e)),
  });

  /**
   * Tests what the form holds, never saving it: the typed account (and password, if one was typed) go
   * in the request body; with nothing changed, the saved account is tested.
   */
  const testLogin = useMutation({
    mutationFn: async (): Promise<TestResult> => {
      const v = await form.validateFields(["cx_username", "cx_password"]);
      const phone = normalizePhone(v.cx_username) ?? "";
      const changed = phone !== (config.data?.cx_username ?? "") || v.cx_password !== "";
      if (!changed) return unwrap(api.POST("/api/user/config/test-login"));
      if (!v.cx_password && !config.data?.cx_password_set) throw new MissingPassword();
      const body = v.cx_password ? { cx_username: phone, cx_password: v.cx_password } : { cx_username: phone };
      return unwrap(api.POST("/api/user/config/test-login", { body }));
    },
    onMutate: () => setTest(null),
    onSuccess: (r) => setTest(r),
    onError: (e) => {
      if (e instanceof MissingPassword) form.setFields([{ name: "cx_password", errors: [t("settings.testNeedsPassword")] }]);
      else if (!isFormError(e)) setTest({ ok: false, message: errorText(e, { chaoxing_login_failed: "settings.testFail" }) });
    },
  });

  if (config.isPending) return <Skeleton active />;
  if (config.error) return <Alert type="error" title={errorText(config.error)} />;
  const c = config.data;

  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.settings")}</Typography.Title>
      </div>
      <Card title={<h2 style={{ fontSize: 16, margin: 0, whiteSpace: "normal" }}>{t("qr.title")}</h2>} style={{ marginBottom: 16, maxWidth: 720 }}>
        <QrBind autoStart={scanNow} />
      </Card>
      <Form
        form={form}
        layout="vertical"
        onValuesChange={(changed: Partial<Values>) => {
          setDirty(true);
          // A result about other values than the ones now typed would mislead.
          if ("cx_username" in changed || "cx_password" in changed) setTest(null);
        }}
        onFinish={(v) => save.mutate(v)}
        style={{ maxWidth: 720 }}
      >
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("settings.account")}</h2>} style={{ marginBottom: 16 }}>
          {c.cx_login === "qr" && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t("qr.boundNow")} data-testid="qr-login-mode" />}
          <Typography.Paragraph type="secondary">{t("qr.or")}</Typography.Paragraph>
          <Form.Item
            name="cx_username"
            label={t("settings.cxUsername")}
            tooltip={t("settings.cxUsernameTip")}
            rules={[{ validator: (_, v: string) => (!v?.trim() || normalizePhone(v) ? Promise.resolve() : Promise.reject(new Error(t("settings.phoneInvalid")))) }]}
          >
            <Input autoComplete="off" inputMode="tel" placeholder="13800138000" />
          </Form.Item>
          <Form.Item name="cx_password" label={t("settings.cxPassword")} tooltip={t("settings.cxPasswordTip")}>
            <Input.Password autoComplete="new-password" placeholder={c.cx_password_set ? t("settings.cxPasswordSet") : t("settings.cxPasswordNone")} />
          </Form.Item>
          <Space wrap>
            <Button icon={<ApiOutlined />} onClick={() => testLogin.mutate()} loading={testLogin.isPending} title={t("settings.testLoginTip")} data-testid="test-login">
              {t("settings.testLogin")}
            </Button>
          </Space>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 8, marginBottom: 0 }}>
            {t("settings.testLoginTip")}
          </Typography.Paragraph>
          {test && (
            <Alert
              style={{ marginTop: 12 }}
              type={test.ok ? "success" : "error"}
              showIcon
              title={test.ok ? t("settings.testOk") : t("settings.testFail")}
              // Chaoxing's reason for a refusal, from its code in the reader's language (Chaoxing's own words
              // beside it); an answer without a code (an older server) shows the Chinese sentence as before.
              description={test.ok || test.message === t("settings.testFail") ? undefined : <CodedText code={test.code} params={test.params} text={test.message} />}
              role="status"
              data-testid="test-login-result"
            />
          )}
        </Card>
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("settings.study")}</h2>} style={{ marginBottom: 16 }}>
          <Form.Item name="speed" label={t("settings.speed")} tooltip={t("settings.speedTip")} extra={t("settings.speedRealTime")}>
            <Slider min={1} max={2} step={0.1} marks={SPEED_MARKS} tooltip={{ formatter: (v) => `${v?.toFixed(1)}×` }} ariaLabelForHandle={t("settings.speed")} />
          </Form.Item>
          <Form.Item name="notopen_action" label={t("settings.notopen")} tooltip={t("settings.notopenTip")}>
            <Radio.Group>
              <Space orientation="vertical">
                {NOTOPEN.map((k) => (
                  <Radio value={k} key={k}>
                    <strong>{t(`settings.notopen.${k}`)}</strong>
                    <Typography.Text type="secondary"> — {t(`settings.notopen.${k}D`)}</Typography.Text>
                  </Radio>
                ))}
              </Space>
            </Radio.Group>
          </Form.Item>
        </Card>
        <div>
          <Button type="primary" htmlType="submit" icon={<SaveOutlined />} loading={save.isPending} disabled={!dirty} size="large">
            {t("settings.save")}
          </Button>
        </div>
      </Form>
      <div style={{ marginTop: 24 }}>
        <StudyLimitsCard hasAccount={Boolean(c.cx_username && (c.cx_password_set || c.cx_login === "qr"))} />
      </div>
      <NotificationSettings />
      <Modal
        open={blocker.state === "blocked"}
        title={t("settings.unsavedTitle")}
        okText={t("settings.leave")}
        cancelText={t("settings.stay")}
        okButtonProps={{ danger: true }}
        onOk={() => blocker.proceed?.()}
        onCancel={() => blocker.reset?.()}
      >
        {t("settings.unsavedBody")}
      </Modal>
    </>
  );
}

/** A new account typed with no password typed and none saved: there is nothing to test with. */
class MissingPassword extends Error {}

/** antd's validateFields rejects with `{errorFields}`: the form already shows those. */
const isFormError = (e: unknown) => typeof e === "object" && e !== null && "errorFields" in e;
