import { ArrowLeftOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Flex, Result, Skeleton, Typography } from "antd";
import { lazy, Suspense, useState } from "react";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../api/client";
import { useErrorText } from "../api/errors";
import { taskQuery } from "../api/queries";
import { StatusTag } from "../components/StatusTag";
import { TaskActions, useTaskAction, type NotopenChoice } from "../components/TaskActions";
import { RiskControlCard } from "../components/RiskControlCard";
import { TaskView } from "../components/TaskView";
import { RelayOfflineNotice } from "../components/RelayOfflineNotice";
import { usePageTitle } from "../components/usePageTitle";
import { UserData } from "../components/UserData";
import { useI18n } from "../i18n";
import { when } from "../lib/format";
import { useOnline } from "../live/online";
import { useLiveState, useLiveTasks } from "../live/sync";
import { QR_PAGE } from "@shared/links";

// Rare or below the first screen: their own chunks.
const CaptchaPrompt = lazy(() => import("../components/CaptchaPrompt"));
const TaskNotifications = lazy(() => import("../components/TaskNotifications"));

const ACTIVE = new Set(["pending", "running", "paused"]);

export default function TaskDetail() {
  const { t } = useI18n();
  const errorText = useErrorText();
  const id = Number(useParams().id);
  const liveOpen = useLiveState().kind === "open";
  const online = useOnline();
  // When this view began: data older than it is the last copy (or a prefetch), shown while a fresh read comes.
  const [openedAt] = useState(() => Date.now());
  const task = useQuery({
    ...taskQuery(id),
    enabled: id > 0,
    // Pushed updates keep it fresh; a slow poll is the safety net for a missed push, a fast one stands
    // in while the socket is down, so an active task's page never freezes.
    refetchInterval: (q) => (q.state.data && ACTIVE.has(q.state.data.status) ? (liveOpen ? 15_000 : 5_000) : false),
  });
  usePageTitle(task.data ? task.data.name : t("nav.tasks"));
  useLiveTasks(task.data ? [id] : []);

  if (task.isPending) return <Skeleton active paragraph={{ rows: 10 }} />;
  // Only with nothing to show: a failed refresh (offline, say) keeps the last data on screen.
  if (task.error && !task.data) return <Result status="warning" title={errorText(task.error)} extra={<Link to="/tasks">{t("nav.tasks")}</Link>} />;
  const d = task.data;
  const waiting = d.status === "paused" && (d.reason === "captcha" || d.reason === "notopen_ask");
  const fetchLogs = (after_id: number, limit: number) => unwrap(api.GET("/api/tasks/{id}/logs", { params: { path: { id }, query: { after_id, limit } } }));
  // Offline, or the last refresh failed: what is shown is as of its time, greyed; only actions fail.
  const stale = !online || task.isRefetchError;
  const fresh = task.dataUpdatedAt >= openedAt;

  return (
    <div data-testid="task-page" data-fresh={fresh ? "yes" : "no"}>
      <Link to="/tasks">
        <ArrowLeftOutlined /> {t("nav.tasks")}
      </Link>
      {stale ? (
        <Alert type="warning" showIcon style={{ margin: "8px 0" }} title={t("offline.lastUpdated", { when: when(new Date(task.dataUpdatedAt).toISOString()) })} role="status" data-testid="last-updated" />
      ) : (
        !fresh && task.isFetching && (
          <Typography.Paragraph type="secondary" style={{ fontSize: 13, margin: "8px 0 0" }} role="status" data-testid="refreshing">
            {t("offline.refreshing", { when: when(new Date(task.dataUpdatedAt).toISOString()) })}
          </Typography.Paragraph>
        )
      )}
      <div className={stale ? "stale" : undefined}>
        <div className="page-head" style={{ marginTop: 8 }}>
          <Flex gap={12} align="center" wrap style={{ minWidth: 0 }}>
            <Typography.Title level={1} style={{ overflowWrap: "anywhere" }}>
              <UserData>{d.name}</UserData>
            </Typography.Title>
            <StatusTag task={d} />
          </Flex>
          <TaskActions task={d} size="middle" afterDelete="/tasks" />
        </div>
        {d.status === "paused" && d.reason === "captcha" && (
          <Suspense fallback={<Skeleton active paragraph={{ rows: 2 }} />}>
            <CaptchaPrompt id={id} />
          </Suspense>
        )}
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
        {((d.status === "paused" && d.reason === "risk_control") || (d.status === "running" && d.reason === "risk_check")) && <RiskControlCard task={d} />}
        <TaskView task={d} viewer="self" owner fetchLogs={fetchLogs} liveLogs={!waiting && d.status === "running"} />
        <div style={{ marginTop: 16 }}>
          <Suspense fallback={null}>
            <TaskNotifications id={id} />
          </Suspense>
        </div>
      </div>
    </div>
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
