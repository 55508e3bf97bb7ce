import { ArrowLeftOutlined, DownloadOutlined, ReloadOutlined } from "@ant-design/icons";
import type { TaskLogLine } from "@shared/live";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Checkbox, Col, Descriptions, Empty, Flex, Form, Input, Progress, Result, Row, Segmented, Skeleton, Table, Typography, theme } from "antd";
import { useEffect, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../api/client";
import { keys, type Task } from "../api/queries";
import { RelayOfflineNotice } from "../components/RelayOfflineNotice";
import { reasonText, StatusTag } from "../components/StatusTag";
import { TaskActions, useTaskAction } from "../components/TaskActions";
import { usePageTitle } from "../components/usePageTitle";
import { useI18n } from "../i18n";
import { clock, downloadText, eta, when } from "../lib/format";
import { useLiveState, useLiveTasks } from "../live/sync";

type Level = TaskLogLine["level"] | "ALL";
const ACTIVE = new Set(["pending", "running", "paused"]);

export default function TaskDetail() {
  const { t } = useI18n();
  const id = Number(useParams().id);
  const liveOpen = useLiveState().kind === "open";
  const task = useQuery({
    queryKey: keys.task(id),
    queryFn: () => unwrap(api.GET("/api/tasks/{id}", { params: { path: { id } } })),
    enabled: id > 0,
    // Pushed updates keep it fresh; a slow poll is the safety net for a missed push, a fast one stands
    // in while the socket is down, so an active task's page never freezes.
    refetchInterval: (q) => (q.state.data && ACTIVE.has(q.state.data.status) ? (liveOpen ? 15_000 : 5_000) : false),
  });
  usePageTitle(task.data ? task.data.name : t("nav.tasks"));
  useLiveTasks(task.data ? [id] : []);

  if (task.isPending) return <Skeleton active paragraph={{ rows: 10 }} />;
  if (task.error) return <Result status="warning" title={task.error.message} extra={<Link to="/tasks">{t("nav.tasks")}</Link>} />;
  const d = task.data;
  const waiting = d.status === "paused" && (d.reason === "captcha" || d.reason === "notopen_ask");

  return (
    <>
      <Link to="/tasks">
        <ArrowLeftOutlined /> {t("nav.tasks")}
      </Link>
      <div className="page-head" style={{ marginTop: 8 }}>
        <Flex gap={12} align="center" wrap>
          <Typography.Title level={1}>{d.name}</Typography.Title>
          <StatusTag status={d.status} reason={d.reason} queue={d.queue_position} />
        </Flex>
        <TaskActions task={d} size="middle" afterDelete="/tasks" />
      </div>
      {d.status === "paused" && d.reason === "captcha" && <CaptchaPrompt id={id} />}
      {d.status === "paused" && d.reason === "notopen_ask" && <NotopenPrompt id={id} chapter={d.notopen_chapter ?? ""} />}
      {d.status === "paused" && d.reason === "relay_offline" && <RelayOfflineNotice />}
      {d.status === "completed" && <Alert type="success" showIcon title={t("detail.completed")} style={{ marginBottom: 16 }} />}
      {d.status === "failed" && <Alert type="error" showIcon title={t("detail.failed")} description={d.error_msg} style={{ marginBottom: 16 }} />}
      {d.status === "cancelled" && d.reason && <Alert type="info" showIcon title={reasonText(d.reason, null, t)} description={d.error_msg} style={{ marginBottom: 16 }} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Card style={{ height: "100%" }}>
            <Flex gap={24} align="center" wrap>
              <Progress
                type="dashboard"
                percent={d.progress}
                status={d.status === "failed" ? "exception" : d.status === "completed" ? "success" : "normal"}
                aria-label={`${t("detail.overall")} ${d.progress}%`}
                data-testid="overall-progress"
              />
              <div>
                <Typography.Text type="secondary">{t("detail.coursesDone")}</Typography.Text>
                <div style={{ fontSize: 24, fontWeight: 600 }} data-testid="courses-done">
                  {d.completed_courses} / {d.total_courses}
                </div>
                <Typography.Text type="secondary">{t("detail.eta")}</Typography.Text>
                <div style={{ fontSize: 16 }}>{d.status === "running" ? eta(d.eta_seconds, t) : t("detail.none")}</div>
              </div>
            </Flex>
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card style={{ height: "100%" }}>
            <Typography.Text type="secondary">{t("detail.current")}</Typography.Text>
            <div style={{ fontSize: 16, margin: "4px 0 8px", minHeight: 24 }} data-testid="current-item">
              {d.current_item ?? t("detail.none")}
            </div>
            <Progress percent={Math.round(d.item_progress)} status={d.status === "running" ? "active" : "normal"} aria-label={`${t("detail.current")} ${Math.round(d.item_progress)}%`} />
            <div className="mono" data-testid="item-time">
              {clock(d.item_current_time)} / {clock(d.item_total_time)}
            </div>
            <Descriptions size="small" column={{ xs: 1, sm: 2 }} style={{ marginTop: 12 }}>
              <Descriptions.Item label={t("detail.start")}>{when(d.start_time)}</Descriptions.Item>
              <Descriptions.Item label={t("detail.end")}>{when(d.end_time)}</Descriptions.Item>
              <Descriptions.Item label={t("detail.speed")}>{d.speed ? `${d.speed.toFixed(1)}×` : t("detail.default")}</Descriptions.Item>
              <Descriptions.Item label={t("detail.notopen")}>{d.notopen_action ? t(`settings.notopen.${d.notopen_action}`) : t("detail.default")}</Descriptions.Item>
              {d.queue_position !== null && <Descriptions.Item label={t("tasks.status")}>{t("detail.queue", { n: d.queue_position })}</Descriptions.Item>}
            </Descriptions>
          </Card>
        </Col>
        {d.left_for_user.length > 0 && (
          <Col xs={24}>
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("detail.left")}</h2>}>
              <Typography.Paragraph type="secondary">{t("detail.leftHint")}</Typography.Paragraph>
              <Table
                size="small"
                rowKey={(r) => `${r.course}|${r.chapter}|${r.item}`}
                dataSource={d.left_for_user}
                pagination={{ pageSize: 10, hideOnSinglePage: true }}
                scroll={{ x: 600 }}
                columns={[
                  { title: t("detail.leftCourse"), dataIndex: "course" },
                  { title: t("detail.leftChapter"), dataIndex: "chapter" },
                  { title: t("detail.leftItem"), dataIndex: "item" },
                  { title: t("detail.leftReason"), dataIndex: "reason" },
                ]}
              />
            </Card>
          </Col>
        )}
        <Col xs={24}>
          <LogPanel task={d} live={!waiting && d.status === "running"} />
        </Col>
      </Row>
    </>
  );
}

const LEVEL_COLOR: Record<TaskLogLine["level"], "secondary" | "warning" | "danger" | undefined> = { DEBUG: "secondary", INFO: undefined, WARNING: "warning", ERROR: "danger" };

function LogPanel({ task, live }: { task: Task; live: boolean }) {
  const { t } = useI18n();
  const { token } = theme.useToken();
  const [level, setLevel] = useState<Level>("ALL");
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLDivElement>(null);
  const lines = level === "ALL" ? task.logs : task.logs.filter((l) => l.level === level);
  const last = lines.at(-1)?.id;
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [last, follow]);
  const exportTxt = () =>
    downloadText(`task-${task.id}-log.txt`, lines.map((l) => `${when(l.created_at)} [${l.level}] ${l.message}`).join("\n") + "\n");
  return (
    <Card
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("detail.logs")}</h2>}
      extra={
        <Flex gap={8} wrap align="center">
          <Segmented<Level>
            size="small"
            aria-label={t("detail.logLevel")}
            value={level}
            onChange={setLevel}
            options={[{ value: "ALL", label: t("detail.allLevels") }, "INFO", "WARNING", "ERROR", "DEBUG"]}
          />
          <Checkbox checked={follow} onChange={(e) => setFollow(e.target.checked)}>
            {t("detail.follow")}
          </Checkbox>
          <Button size="small" icon={<DownloadOutlined />} onClick={exportTxt} disabled={!lines.length}>
            {t("detail.export")}
          </Button>
        </Flex>
      }
    >
      <div
        ref={box}
        className="log-box mono"
        role="log"
        aria-live={live ? "polite" : "off"}
        aria-label={t("detail.logs")}
        tabIndex={0}
        style={{ background: token.colorFillQuaternary }}
        data-testid="log-box"
      >
        {lines.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("detail.noLogs")} />
        ) : (
          lines.map((l) => (
            <div key={l.id} className="log-line">
              <Typography.Text type="secondary">{when(l.created_at).slice(11)}</Typography.Text>{" "}
              <Typography.Text type={LEVEL_COLOR[l.level]} strong={l.level !== "INFO" && l.level !== "DEBUG"}>
                [{l.level}]
              </Typography.Text>{" "}
              <Typography.Text type={l.level === "ERROR" ? "danger" : undefined}>{l.message}</Typography.Text>
            </div>
          ))
        )}
      </div>
    </Card>
  );
}

function CaptchaPrompt({ id }: { id: number }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ code: string }>();
  const image = useQuery({
    queryKey: ["captcha", id],
    queryFn: async () => URL.createObjectURL(await unwrap(api.GET("/api/tasks/{id}/captcha", { params: { path: { id } }, parseAs: "blob" }))),
    staleTime: Infinity,
    gcTime: 0,
  });
  useEffect(() => () => void (image.data && URL.revokeObjectURL(image.data)), [image.data]);
  const send = useMutation({
    mutationFn: (code: string) => unwrap(api.POST("/api/tasks/{id}/captcha", { params: { path: { id } }, body: { code } })),
    onSuccess: (r) => {
      message.success(r.message || t("detail.captchaSent"));
      form.resetFields();
      void qc.invalidateQueries({ queryKey: keys.task(id) });
    },
    onError: (e) => {
      message.error(e.message);
      void image.refetch();
    },
  });
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      title={t("detail.captchaTitle")}
      data-testid="captcha-prompt"
      description={
        <>
          <div style={{ marginBottom: 8 }}>{t("detail.captchaBody")}</div>
          <Flex gap={12} wrap align="center">
            {image.data ? <img src={image.data} alt={t("detail.captchaImage")} height={40} style={{ borderRadius: 4, background: "#fff" }} /> : <Skeleton.Image active style={{ width: 120, height: 40 }} />}
            <Button icon={<ReloadOutlined />} onClick={() => void image.refetch()} aria-label={t("detail.captchaReload")}>
              {t("detail.captchaReload")}
            </Button>
            <Form form={form} layout="inline" onFinish={(v) => send.mutate(v.code.trim())}>
              <Form.Item name="code" rules={[{ required: true, whitespace: true, message: t("auth.required", { field: t("detail.captchaInput") }) }]}>
                <Input placeholder={t("detail.captchaInput")} aria-label={t("detail.captchaInput")} autoComplete="off" style={{ width: 140 }} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={send.isPending}>
                {t("detail.captchaSubmit")}
              </Button>
            </Form>
          </Flex>
        </>
      }
    />
  );
}

function NotopenPrompt({ id, chapter }: { id: number; chapter: string }) {
  const { t } = useI18n();
  const act = useTaskAction();
  const busy = (c: "skip" | "stop") => act.isPending && act.variables?.notopen === c;
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      title={t("detail.notopenTitle")}
      data-testid="notopen-prompt"
      description={
        <>
          <div style={{ marginBottom: 8 }}>{t("detail.notopenBody", { chapter })}</div>
          <Flex gap={8} wrap>
            <Button type="primary" loading={busy("skip")} onClick={() => act.mutate({ id, action: "resume", notopen: "skip" })}>
              {t("detail.skip")}
            </Button>
            <Button danger loading={busy("stop")} onClick={() => act.mutate({ id, action: "resume", notopen: "stop" })}>
              {t("detail.stop")}
            </Button>
          </Flex>
        </>
      }
    />
  );
}
