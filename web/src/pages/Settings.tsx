import { ApiOutlined, SaveOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Form, Input, Modal, Radio, Skeleton, Slider, Space, Switch, Typography } from "antd";
import { useEffect, useState } from "react";
import { useBlocker } from "react-router";
import { api, unwrap, type Body, type Res } from "../api/client";
import { keys, useConfig } from "../api/queries";
import { applyFieldErrors } from "../components/formErrors";
import { StudyLimitsCard } from "../components/StudyLimitsCard";
import { NOTOPEN, SPEED_MARKS } from "../components/studyOptions";
import { usePageTitle } from "../components/usePageTitle";
import { useI18n } from "../i18n";

type Config = Res<"/api/user/config", "get">;
type Values = { cx_username: string; cx_password: string; use_cookies: boolean; speed: number; notopen_action: Config["notopen_action"] };


function toValues(c: Config): Values {
  return { cx_username: c.cx_username ?? "", cx_password: "", use_cookies: c.use_cookies, speed: c.speed, notopen_action: c.notopen_action };
}

export default function Settings() {
  const { t } = useI18n();
  usePageTitle(t("nav.settings"));
  const { message } = App.useApp();
  const qc = useQueryClient();
  const config = useConfig();
  const [form] = Form.useForm<Values>();
  const [dirty, setDirty] = useState(false);
  const [test, setTest] = useState<{ ok: boolean; message: string } | null>(null);

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
        cx_username: v.cx_username.trim() || null,
        use_cookies: v.use_cookies,
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
    },
    onError: (e) => applyFieldErrors(form, e) || message.error(e.message),
  });

  const testLogin = useMutation({
    mutationFn: async () => {
      if (dirty) await save.mutateAsync(await form.validateFields());
      return unwrap(api.POST("/api/user/config/test-login"));
    },
    onMutate: () => setTest(null),
    onSuccess: (r) => setTest(r),
    onError: (e) => setTest({ ok: false, message: e.message }),
  });

  if (config.isPending) return <Skeleton active />;
  if (config.error) return <Alert type="error" title={config.error.message} />;
  const c = config.data;

  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.settings")}</Typography.Title>
      </div>
      <Form
        form={form}
        layout="vertical"
        onValuesChange={() => setDirty(true)}
        onFinish={(v) => save.mutate(v, { onSuccess: () => message.success(t("settings.saved")) })}
        style={{ maxWidth: 720 }}
      >
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("settings.account")}</h2>} style={{ marginBottom: 16 }}>
          <Form.Item name="cx_username" label={t("settings.cxUsername")} tooltip={t("settings.cxUsernameTip")}>
            <Input autoComplete="off" inputMode="tel" placeholder="13800138000" />
          </Form.Item>
          <Form.Item name="cx_password" label={t("settings.cxPassword")} tooltip={t("settings.cxPasswordTip")}>
            <Input.Password autoComplete="new-password" placeholder={c.cx_password_set ? t("settings.cxPasswordSet") : t("settings.cxPasswordNone")} />
          </Form.Item>
          <Form.Item name="use_cookies" label={t("settings.useCookies")} tooltip={t("settings.useCookiesTip")} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Space wrap>
            <Button icon={<ApiOutlined />} onClick={() => testLogin.mutate()} loading={testLogin.isPending} title={t("settings.testLoginTip")} data-testid="test-login">
              {t("settings.testLogin")}
            </Button>
          </Space>
          {test && (
            <Alert
              style={{ marginTop: 12 }}
              type={test.ok ? "success" : "error"}
              showIcon
              title={test.ok ? t("settings.testOk") : t("settings.testFail")}
              description={test.message === t(test.ok ? "settings.testOk" : "settings.testFail") ? undefined : test.message}
              role="status"
              data-testid="test-login-result"
            />
          )}
        </Card>
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("settings.study")}</h2>} style={{ marginBottom: 16 }}>
          <Form.Item name="speed" label={t("settings.speed")} tooltip={t("settings.speedTip")}>
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
        <StudyLimitsCard hasAccount={Boolean(c.cx_username && c.cx_password_set)} />
      </div>
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
