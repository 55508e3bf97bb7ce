/**
 * The user's Chaoxing account limits, on the settings page: study window, daily media cap, breaks, gap
 * between videos, and today's use (refreshed while the page is open). Its own form and save button,
 * apart from the account form. What they are for, and the rollback reports they answer, are in the hint.
 */
import { SaveOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Flex, Form, InputNumber, Progress, Skeleton, Tag, TimePicker, Typography } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useEffect, type ReactNode } from "react";
import { api, unwrap, type Body, type Res } from "../api/client";
import { keys } from "../api/queries";
import { useI18n } from "../i18n";

type Limits = Res<"/api/user/limits", "get">;
type Values = { start: Dayjs; end: Dayjs; daily_cap_minutes: number; video_gap_seconds: number; video_gap_jitter_seconds: number; break_after_minutes: number };

/** Public reports of finished videos rolled back overnight after 20–24 h of video a day (chaoxing-protocol.md "Corrections of 2026-12" item 6). */
const ROLLBACK_REPORTS = "https://github.com/Samueli924/chaoxing/issues/588";
/** Above this many minutes a day the card says why it is risky. */
const RISKY_CAP_MINUTES = 480;
/** How often today's figure is read again while the card is shown: it moves with every report. */
const REFRESH_MS = 30_000;

/** A sentence with the rollback reports' link where its `{link}` is. */
function withReportsLink(text: (link: string) => string, label: string): ReactNode {
  const [before, after] = text("\u0000").split("\u0000");
  return (
    <>
      {before}
      {/* Underlined: a link inside a sentence must not be told apart by its colour alone. */}
      <a href={ROLLBACK_REPORTS} target="_blank" rel="noreferrer" style={{ textDecoration: "underline" }}>
        {label}
      </a>
      {after}
    </>
  );
}

/** `MM-DD HH:mm` of an instant in Beijing time (Asia/Shanghai: UTC+8 all year, no DST). */
const beijing = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(5, 16).replace("T", " ");

/** "24:00" is midnight at the end of the day: as a time of day it reads 00:00, which the window treats alike. */
const toTime = (hhmm: string): Dayjs => dayjs(`2000-01-01T${hhmm === "24:00" ? "00:00" : hhmm}`);

function toValues(l: Limits): Values {
  return {
    start: toTime(l.window_start),
    end: toTime(l.window_end),
    daily_cap_minutes: l.daily_cap_minutes,
    video_gap_seconds: l.video_gap_seconds,
    video_gap_jitter_seconds: l.video_gap_jitter_seconds,
    break_after_minutes: l.break_after_minutes,
  };
}

export function StudyLimitsCard({ hasAccount }: { hasAccount: boolean }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const start = Form.useWatch("start", form);
  const end = Form.useWatch("end", form);
  // Start equal to end is the whole day (00:00–24:00 reads "00:00 – 00:00" in the pickers): said in words.
  const allDay = start !== undefined && end !== undefined && start.format("HH:mm") === end.format("HH:mm");
  const limits = useQuery({ queryKey: keys.limits, queryFn: () => unwrap(api.GET("/api/user/limits")), enabled: hasAccount, retry: false, refetchInterval: REFRESH_MS });
  const cap = Form.useWatch("daily_cap_minutes", form);
  useEffect(() => {
    if (limits.data) form.setFieldsValue(toValues(limits.data));
  }, [limits.data, form]);
  const save = useMutation({
    mutationFn: (v: Values) => {
      const body: Body<"/api/user/limits", "put"> = {
        window_start: v.start.format("HH:mm"),
        // 00:00 as an end is the end of the day.
        window_end: v.end.format("HH:mm") === "00:00" ? "24:00" : v.end.format("HH:mm"),
        daily_cap_minutes: v.daily_cap_minutes,
        video_gap_seconds: v.video_gap_seconds,
        video_gap_jitter_seconds: v.video_gap_jitter_seconds,
        break_after_minutes: v.break_after_minutes,
      };
      return unwrap(api.PUT("/api/user/limits", { body }));
    },
    onSuccess: (l) => {
      qc.setQueryData(keys.limits, l);
      message.success(t("limits.saved"));
    },
    onError: (e) => message.error(e.message),
  });

  const title = <h2 style={{ fontSize: 16, margin: 0 }}>{t("limits.title")}</h2>;
  if (!hasAccount) {
    return (
      <Card title={title} style={{ marginBottom: 16, maxWidth: 720 }}>
        <Typography.Text type="secondary">{t("limits.noAccount")}</Typography.Text>
      </Card>
    );
  }
  if (limits.isPending) return <Skeleton active />;
  if (limits.error) {
    return (
      <Card title={title} style={{ marginBottom: 16, maxWidth: 720 }}>
        <Alert type="error" showIcon title={limits.error.message} data-testid="limits-error" />
      </Card>
    );
  }
  const l = limits.data;
  const used = Math.min(100, Math.round((l.today.media_minutes / l.daily_cap_minutes) * 100));
  // The window is Beijing time, so is the resume time, said so (a browser elsewhere would read its own).
  const at = l.resumes_at ? `${beijing(l.resumes_at)} ${t("limits.beijing")}` : "";
  const today = t("limits.today", { used: l.today.media_minutes, cap: l.daily_cap_minutes });
  return (
    <Card
      title={title}
      extra={!l.customized && <Tag>{t("limits.defaults")}</Tag>}
      style={{ marginBottom: 16, maxWidth: 720 }}
      data-testid="limits-card"
    >
      <Typography.Paragraph type="secondary" data-testid="limits-hint">
        {withReportsLink((link) => t("limits.hint", { link }), t("limits.reportsLink"))}
      </Typography.Paragraph>
      <Flex gap={8} align="center" wrap style={{ marginBottom: 16 }}>
        <Tag color={l.status === "open" ? "success" : "warning"} data-testid="limits-status">
          {l.status === "open" ? t("limits.status.open") : t(`limits.status.${l.status}`, { at })}
        </Tag>
        <Typography.Text>{today}</Typography.Text>
        <Progress percent={used} size="small" style={{ width: 160, margin: 0 }} aria-label={today} />
      </Flex>
      <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
        <Form.Item label={t("limits.window")} tooltip={t("limits.windowTip")} required>
          {/* One line at 360 px: the dash never wraps onto a line of its own. */}
          <Flex gap={8} align="center" style={{ flexWrap: "nowrap" }}>
            <Form.Item name="start" noStyle rules={[{ required: true }]}>
              <TimePicker format="HH:mm" minuteStep={5} needConfirm={false} allowClear={false} inputReadOnly aria-label={t("limits.start")} style={{ width: 104 }} />
            </Form.Item>
            <span aria-hidden>–</span>
            <Form.Item name="end" noStyle rules={[{ required: true }]}>
              <TimePicker format="HH:mm" minuteStep={5} needConfirm={false} allowClear={false} inputReadOnly aria-label={t("limits.end")} style={{ width: 104 }} />
            </Form.Item>
          </Flex>
          {allDay && (
            <Typography.Text type="secondary" style={{ display: "block", marginTop: 4 }} data-testid="limits-all-day">
              {t("limits.allDay")}
            </Typography.Text>
          )}
        </Form.Item>
        <Form.Item name="daily_cap_minutes" label={t("limits.cap")} tooltip={t("limits.capTip", { max: l.daily_cap_max_minutes })} rules={[{ required: true }]}>
          <InputNumber min={1} max={l.daily_cap_max_minutes} precision={0} suffix={t("limits.minutes")} style={{ width: 180 }} aria-label={t("limits.cap")} />
        </Form.Item>
        {(cap ?? 0) > RISKY_CAP_MINUTES && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            title={withReportsLink((link) => t("limits.capRisky", { link }), t("limits.reportsLink"))}
            data-testid="limits-risky"
          />
        )}
        <Form.Item
          name="break_after_minutes"
          label={t("limits.breakAfter")}
          tooltip={t("limits.breakTip", { min: l.break_minutes.min, max: l.break_minutes.max, limit: l.break_after_max_minutes })}
          rules={[{ required: true }]}
        >
          <InputNumber min={10} max={l.break_after_max_minutes} precision={0} suffix={t("limits.minutes")} style={{ width: 180 }} aria-label={t("limits.breakAfter")} />
        </Form.Item>
        <Form.Item label={t("limits.gap")}>
          <Flex gap={8} align="center" wrap>
            <Form.Item name="video_gap_seconds" noStyle rules={[{ required: true }]}>
              <InputNumber min={0} max={3600} precision={0} suffix={t("limits.seconds")} style={{ width: 140 }} aria-label={t("limits.gap")} />
            </Form.Item>
            <span>{t("limits.jitter")}</span>
            <Form.Item name="video_gap_jitter_seconds" noStyle rules={[{ required: true }]}>
              <InputNumber min={0} max={3600} precision={0} suffix={t("limits.seconds")} style={{ width: 140 }} aria-label={t("limits.jitter")} />
            </Form.Item>
          </Flex>
        </Form.Item>
        <Button htmlType="submit" icon={<SaveOutlined />} loading={save.isPending} data-testid="limits-save">
          {t("limits.save")}
        </Button>
      </Form>
    </Card>
  );
}
