/**
 * Settings → 通知 / Notifications: the channels (each with its switch, write-only secrets and
 * a test that shows the provider's answer) and the event switches. Secrets are never read back: a saved
 * one shows as "saved", an empty field keeps it, "clear" removes it on save.
 */
import { KeyOutlined, SaveOutlined, SendOutlined } from "@ant-design/icons";
import { NOTIFY_CHANNELS, NOTIFY_EVENTS, SECRET_FIELDS, URL_FIELDS, type NotifyChannel, type NotifyEventKind, type SecretField } from "@shared/notify";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Collapse, Flex, Form, Input, Skeleton, Space, Switch, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { api, unwrap, type Body, type Res } from "../api/client";
import { keys, notificationsQuery } from "../api/queries";
import { useI18n, type MessageKey } from "../i18n";
import { applyFieldErrors, useErrorText } from "../api/errors";
import { VerifyEmailNotice } from "./VerifyEmailNotice";

type Settings = Res<"/api/user/notifications", "get">;
type TestResult = Res<"/api/user/notifications/test", "post">;
type ChannelValues = { enabled: boolean } & Partial<Record<SecretField, string>>;
type Values = { channels: Record<NotifyChannel, ChannelValues>; events: Record<NotifyEventKind, boolean> };

const fieldsOf = (c: NotifyChannel): SecretField[] => [...SECRET_FIELDS[c].required, ...SECRET_FIELDS[c].optional];

/** What a saved channel says about one of its secrets (`sendkey_set`…), read from the typed settings. */
function isSet(s: Settings, c: NotifyChannel, f: SecretField): boolean {
  return (s.channels[c] as Record<string, unknown>)[`${f}_set`] === true;
}

/** The host of a channel's saved URL, for the user to recognise it (the URL itself is never returned). */
function hostOf(s: Settings, c: NotifyChannel): string | null {
  const host = (s.channels[c] as Record<string, unknown>).host;
  return typeof host === "string" ? host : null;
}

const configured = (s: Settings, c: NotifyChannel) => SECRET_FIELDS[c].required.every((f) => isSet(s, c, f));

/** Example inputs: technical, the same in every language. */
const PLACEHOLDER: Partial<Record<SecretField, string>> = {
  device_url: "https://api.day.app/…",
  url: "https://…",
};

function toValues(s: Settings): Values {
  const channels = Object.fromEntries(NOTIFY_CHANNELS.map((c) => [c, { enabled: s.channels[c].enabled }])) as Values["channels"];
  return { channels, events: { ...s.events } };
}

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function NotificationSettings() {
  const { t } = useI18n();
  const errorText = useErrorText();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const settings = useQuery(notificationsQuery);
  const [form] = Form.useForm<Values>();
  const [dirty, setDirty] = useState(false);
  const [clears, setClears] = useState<Set<string>>(new Set());
  const [tests, setTests] = useState<Partial<Record<NotifyChannel, TestResult | { error: string }>>>({});

  useEffect(() => {
    if (settings.data && !dirty) form.setFieldsValue(toValues(settings.data));
  }, [settings.data, dirty, form]);

  const save = useMutation({
    mutationFn: (v: Values) => {
      const channels: Record<string, Record<string, unknown>> = {};
      for (const c of NOTIFY_CHANNELS) {
        const cv = v.channels[c];
        const patch: Record<string, unknown> = { enabled: cv.enabled };
        for (const f of fieldsOf(c)) {
          const typed = cv[f]?.trim();
          if (clears.has(`${c}.${f}`)) patch[f] = null;
          else if (typed) patch[f] = typed;
        }
        channels[c] = patch;
      }
      // Built from SECRET_FIELDS, the same table the API validates with.
      const body = { channels, events: v.events } as Body<"/api/user/notifications", "put">;
      return unwrap(api.PUT("/api/user/notifications", { body }));
    },
    onSuccess: (s) => {
      qc.setQueryData(keys.notifications, s);
      setDirty(false);
      setClears(new Set());
      form.resetFields();
      form.setFieldsValue(toValues(s));
    },
    onError: (e) => applyFieldErrors(form, e, t) || message.error(errorText(e)),
  });

  const test = useMutation({
    mutationFn: async (channel: NotifyChannel) => {
      if (dirty) await save.mutateAsync(await form.validateFields());
      return unwrap(api.POST("/api/user/notifications/test", { body: { channel } }));
    },
    onMutate: (channel) => setTests((r) => ({ ...r, [channel]: undefined })),
    onSuccess: (r) => setTests((all) => ({ ...all, [r.channel]: r })),
    onError: (e, channel) => setTests((all) => ({ ...all, [channel]: { error: errorText(e) } })),
  });

  if (settings.isPending) return <Skeleton active />;
  if (settings.error) return <Alert type="error" title={settings.error.message} />;
  const s = settings.data;

  const toggleClear = (key: string) => {
    setClears((old) => {
      const next = new Set(old);
      if (!next.delete(key)) next.add(key);
      return next;
    });
    setDirty(true);
  };

  const channelBody = (c: NotifyChannel) => {
    const result = tests[c];
    return (
      <>
        {/* The row is the switch's label: a tap anywhere on it toggles it. */}
        <Flex component="label" gap={8} align="center" style={{ marginBottom: 12 }} data-tap-row>
          <Form.Item name={["channels", c, "enabled"]} valuePropName="checked" noStyle>
            <Switch id={`notify-enable-${c}`} data-testid={`notify-enable-${c}`} />
          </Form.Item>
          <span>{t("notify.enable")}</span>
        </Flex>
        <Typography.Paragraph type="secondary">{t(`notify.help.${c}`)}</Typography.Paragraph>
        {c === "email" && <Typography.Paragraph>{t("notify.emailTo", { address: s.channels.email.address })}</Typography.Paragraph>}
        {c === "email" && !s.channels.email.verified && <VerifyEmailNotice />}
        {fieldsOf(c).map((f) => {
          const key = `${c}.${f}`;
          const saved = isSet(s, c, f);
          const clearing = clears.has(key);
          const host = URL_FIELDS.includes(f) ? hostOf(s, c) : null;
          return (
            <Form.Item
              key={f}
              label={t(`notify.field.${c}.${f}` as MessageKey)}
              extra={host ? t("notify.host", { host }) : undefined}
            >
              <Flex gap={8} wrap>
                <Form.Item name={["channels", c, f]} noStyle>
                  <Input.Password
                    autoComplete="off"
                    disabled={clearing}
                    placeholder={clearing ? t("notify.willClear") : saved ? t("notify.secretSaved") : (PLACEHOLDER[f] ?? t("notify.secretNone"))}
                    aria-label={t(`notify.field.${c}.${f}` as MessageKey)}
                    style={{ flex: "1 1 220px", minWidth: 0 }}
                  />
                </Form.Item>
                {c === "webhook" && f === "secret" && (
                  <Button
                    icon={<KeyOutlined />}
                    onClick={() => {
                      form.setFieldValue(["channels", c, f], randomSecret());
                      setDirty(true);
                      message.info(t("notify.generated"));
                    }}
                  >
                    {t("notify.generate")}
                  </Button>
                )}
                {saved && (
                  <Button onClick={() => toggleClear(key)} type={clearing ? "primary" : "default"} danger={!clearing}>
                    {clearing ? t("notify.keep") : t("notify.clear")}
                  </Button>
                )}
              </Flex>
            </Form.Item>
          );
        })}
        <Space wrap>
          <Button
            icon={<SendOutlined />}
            onClick={() => test.mutate(c)}
            loading={test.isPending && test.variables === c}
            disabled={c === "email" ? !s.channels.email.verified : !configured(s, c) && !dirty}
            data-testid={`notify-test-${c}`}
          >
            {t("notify.test")}
          </Button>
        </Space>
        {result && (
          <Alert
            style={{ marginTop: 12 }}
            role="status"
            showIcon
            data-testid={`notify-test-result-${c}`}
            type={"error" in result ? "error" : result.ok ? "success" : "error"}
            title={"error" in result ? t("notify.testFail") : `${result.ok ? t("notify.testOk") : t("notify.testFail")}${result.status !== null ? ` · ${t("notify.testStatus", { status: result.status })}` : ""}`}
            description={"error" in result ? result.error : result.excerpt || undefined}
          />
        )}
      </>
    );
  };

  return (
    <Form
      form={form}
      layout="vertical"
      onValuesChange={() => setDirty(true)}
      onFinish={(v) => save.mutate(v, { onSuccess: () => message.success(t("notify.saved")) })}
      style={{ maxWidth: 720, marginTop: 24 }}
      data-testid="notify-settings"
    >
      <Card
        title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("notify.title")}</h2>}
        extra={<Typography.Text type="secondary">{t("notify.usage", { sent: s.sent_today, cap: s.daily_cap })}</Typography.Text>}
        style={{ marginBottom: 16 }}
      >
        <Typography.Paragraph>{t("notify.intro")}</Typography.Paragraph>
        <Typography.Title level={3} style={{ fontSize: 15 }}>
          {t("notify.channels")}
        </Typography.Title>
        <Collapse
          items={NOTIFY_CHANNELS.map((c) => ({
            key: c,
            label: (
              <Flex gap={8} align="center" wrap>
                <span>{t(`notify.channel.${c}`)}</span>
                {c === "email" && !s.channels.email.verified ? (
                  <Tag color="orange">{t("notify.unverified")}</Tag>
                ) : s.channels[c].enabled ? (
                  <Tag color="green">{t("notify.enabled")}</Tag>
                ) : (
                  c !== "email" && <Tag>{configured(s, c) ? t("notify.configured") : t("notify.notConfigured")}</Tag>
                )}
              </Flex>
            ),
            children: channelBody(c),
            forceRender: true,
          }))}
        />
        <Typography.Title level={3} style={{ fontSize: 15, marginTop: 24 }}>
          {t("notify.events")}
        </Typography.Title>
        {NOTIFY_EVENTS.map((e) => (
          <Flex key={e} component="label" justify="space-between" align="center" style={{ padding: "6px 0" }} data-tap-row>
            <span>{t(`notify.event.${e}`)}</span>
            <Form.Item name={["events", e]} valuePropName="checked" noStyle>
              <Switch id={`notify-event-${e}`} aria-label={t(`notify.event.${e}`)} />
            </Form.Item>
          </Flex>
        ))}
      </Card>
      <Button type="primary" htmlType="submit" icon={<SaveOutlined />} loading={save.isPending} disabled={!dirty} size="large" data-testid="notify-save">
        {t("notify.save")}
      </Button>
    </Form>
  );
}
