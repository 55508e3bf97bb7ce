import { ArrowLeftOutlined, ReloadOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Flex, Form, Input, Result, Skeleton, Typography } from "antd";
import { useEffect } from "react";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../api/client";
import { useErrorText } from "../api/errors";
import { keys, type Task } from "../api/queries";
import { StatusTag } from "../components/StatusTag";
import { TaskActions, useTaskAction, type NotopenChoice } from "../components/TaskActions";
import { TaskNotifications } from "../components/TaskNotifications";
import { TaskView } from "../components/TaskView";
import { RelayOfflineNotice } from "../components/RelayOfflineNotice";
import { usePageTitle } from "../components/usePageTitle";
import { UserData } from "../components/UserData";
import { useI18n } from "../i18n";
import { useLiveState, useLiveTasks } from "../live/sync";
import { QR_PAGE } from "@shared/links";

const ACTIVE = new Set(["pending", "running", "paused"]);

export default function TaskDetail() {
  const { t } = useI18n();
  const errorText = useErrorText();
  const id = Number(useParams().id);
  const liveOpen = useLiveState().kind === "open";
  const task = useQuery({
    queryKey: keys.task(id),
    queryFn: () => unwrap(api.GET("/api/tasks/{id}", { params: { path: { id } } })) as Promise<Task>,
    enabled: id > 0,
    // Pushed updates keep it fresh; a slow poll is the safety net for a missed push, a fast one stands
    // in while the socket is down, so an active task's page never freezes.
    refetchInterval: (q) => (q.state.data && ACTIVE.has(q.state.data.status) ? (liveOpen ? 15_000 : 5_000) : false),
  });
  usePageTitle(task.data ? task.data.name : t("nav.tasks"));
  useLiveTasks(task.data ? [id] : []);

  if (task.isPending) return <Skeleton active paragraph={{ rows: 10 }} />;
  if (task.error) return <Result status="warning" title={errorText(task.error)} extra={<Link to="/tasks">{t("nav.tasks")}</Link>} />;
  const d = task.data;
  const waiting = d.status === "paused" && (d.reason === "captcha" || d.reason === "notopen_ask");
  const fetchLogs = (after_id: number, limit: number) => unwrap(api.GET("/api/tasks/{id}/logs", { params: { path: { id }, query: { after_id, limit } } }));

  return (
    <>
      <Link to="/tasks">
        <ArrowLeftOutlined /> {t("nav.tasks")}
      </Link>
      <div className="page-head" style={{ marginTop: 8 }}>
        <Flex gap={12} align="center" wrap style={{ minWidth: 0 }}>
          <Typography.Title level={1} style={{ overflowWrap: "anywhere" }}>
            <UserData>{d.name}</UserData>
          </Typography.Title>
          <StatusTag task={d} />
        </Flex>
        <TaskActions task={d} size="middle" afterDelete="/tasks" />
      </div>
      {d.status === "paused" && d.reason === "captcha" && <CaptchaPrompt id={id} />}
      {d.status === "paused" && d.reason === "notopen_ask" && <NotopenPrompt id={id} chapter={d.notopen_chapter ?? ""} />}
      {d.status === "paused" && (d.reason === "relay_offline" || d.reason === "relay_outdated") && <RelayOfflineNotice outdated={d.reason === "relay_outdated"} />}
      {d.status === "paused" && d.reason === "login_required" && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t("reason.login_required")}
          action={<Link to={QR_PAGE}>{t("qr.again")}</Link>}
          data-testid="login-required"
        />
      )}
      <TaskView task={d} viewer="self" owner fetchLogs={fetchLogs} liveLogs={!waiting && d.status === "running"} />
      <div style={{ marginTop: 16 }}>
        <TaskNotifications id={id} />
      </div>
    </>
  );
}

function CaptchaPrompt({ id }: { id: number }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const errorText = useErrorText();
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
    onSuccess: () => {
      message.success(t("detail.captchaSent"));
      form.resetFields();
      void qc.invalidateQueries({ queryKey: keys.task(id) });
    },
    onError: (e) => {
      message.error(errorText(e, { upstream_failed: "error.captcha_rejected" }));
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
            <Form form={form} layout="inline" onFinish={(v) => send.mutate(v.code.trim())} style={{ flexWrap: "nowrap" }}>
              <Form.Item name="code" rules={[{ required: true, whitespace: true, message: t("auth.required", { field: t("detail.captchaInput") }) }]}>
                <Input placeholder={t("detail.captchaInput")} aria-label={t("detail.captchaInput")} autoComplete="off" style={{ width: 120 }} />
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
  const busy = (c: NotopenChoice) => act.isPending && act.variables?.notopen === c;
  const choose = (notopen: NotopenChoice) => act.mutate({ id, action: "resume", notopen });
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      title={t("detail.notopenTitle")}
      data-testid="notopen-prompt"
      description={
        <>
          <div style={{ marginBottom: 8 }}>
            {t("detail.notopenBefore")}
            <UserData>{chapter}</UserData>
            {t("detail.notopenAfter")}
          </div>
          <Flex gap={8} wrap>
            <Button type="primary" loading={busy("skip")} onClick={() => choose("skip")}>
              {t("detail.skip")}
            </Button>
            <Button className="wrap-btn" loading={busy("retry")} onClick={() => choose("retry")} data-testid="notopen-retry">
              {t("detail.doneByHand")}
            </Button>
            <Button danger loading={busy("stop")} onClick={() => choose("stop")}>
              {t("detail.stop")}
            </Button>
          </Flex>
        </>
      }
    />
  );
}
