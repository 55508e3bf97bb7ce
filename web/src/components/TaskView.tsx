import { Alert, Card, Col, Descriptions, Flex, Progress, Row, Skeleton, Statistic, Typography } from "antd";
import { lazy, Suspense } from "react";
import type { LogLine, Task } from "../api/queries";
import { useI18n } from "../i18n";
import { clock, duration, pct, pctFormat, when } from "../lib/format";
import { basisText, dateText, daysText } from "../lib/forecastText";
import { reasonText, waitText, type Viewer } from "../lib/taskText";
import { useItemClock } from "../live/itemClock";
import { NeedsYouCard } from "./NeedsYouCard";
import { CodedText } from "./ServerText";
import { UserData } from "./UserData";

const TaskViewMore = lazy(() => import("./TaskViewMore"));

const ACTIVE = new Set(["pending", "running", "paused"]);

export interface TaskViewProps {
  task: Task;
  viewer: Viewer;
  /** The owner may act on the task (recheck); an admin's view is read-only. */
  owner: boolean;
  /** A page of the whole log after `afterId` (the owner's or the admin's logs route). */
  fetchLogs: (afterId: number, limit: number) => Promise<LogLine[]>;
  liveLogs: boolean;
}

/** A recheck is running: the newest of its two log lines is its start. */
const isRechecking = (d: Task) =>
  d.status === "running" && d.logs.findLast((l) => l.code === "recheck.start" || l.code === "recheck.result")?.code === "recheck.start";

/** The body of a task page, shared by the owner's page and the admin's read-only view. */
export function TaskView({ task: d, viewer, owner, fetchLogs, liveLogs }: TaskViewProps) {
  const { t } = useI18n();
  const needsYou = owner && viewer === "self" && ((d.status === "completed" && d.left_for_user.length > 0) || isRechecking(d));
  return (
    <>
      {d.description && (
        <Typography.Paragraph style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }} data-testid="task-description">
          <Typography.Text type="secondary">{t("detail.description")}: </Typography.Text>
          <UserData>{d.description}</UserData>
        </Typography.Paragraph>
      )}
      {needsYou ? <NeedsYouCard task={d} /> : <Outcome task={d} viewer={viewer} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Overall task={d} />
        </Col>
        <Col xs={24} lg={14}>
          {ACTIVE.has(d.status) ? <CurrentItem task={d} /> : <Summary task={d} />}
        </Col>
        {/* Below the first screen: its own chunk, so a phone shows the task's state before this code arrives. */}
        <Suspense fallback={<Col xs={24}><Skeleton active paragraph={{ rows: 4 }} /></Col>}>
          <TaskViewMore task={d} owner={owner} fetchLogs={fetchLogs} liveLogs={liveLogs} />
        </Suspense>
      </Row>
    </>
  );
}

/** How it ended, in words: done, done with items left for the user, failed, or cancelled and by whom. */
function Outcome({ task: d, viewer }: { task: Task; viewer: Viewer }) {
  const { t } = useI18n();
  const left = d.left_for_user.length;
  if (d.status === "completed")
    return left > 0 || d.reason === "needs_you" ? (
      <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t(viewer === "self" ? "detail.needsYou" : "detail.needsUser", { n: left })} description={t("detail.needsYouHint")} data-testid="outcome" />
    ) : (
      <Alert type="success" showIcon style={{ marginBottom: 16 }} title={t("detail.completed")} data-testid="outcome" />
    );
  if (d.status === "failed")
    return <Alert type="error" showIcon style={{ marginBottom: 16 }} title={t("detail.failed")} description={<CodedText code={d.error_code} params={d.error_params} text={d.error_msg} />} data-testid="outcome" />;
  if (d.status === "cancelled" && d.reason)
    return <Alert type="info" showIcon style={{ marginBottom: 16 }} title={reasonText(d, viewer, t)} description={<CodedText code={d.error_code} params={d.error_params} text={d.error_msg} />} data-testid="outcome" />;
  return null;
}

function Overall({ task: d }: { task: Task }) {
  const { t } = useI18n();
  const needsYou = d.status === "completed" && (d.reason === "needs_you" || d.left_for_user.length > 0);
  return (
    <Card style={{ height: "100%" }}>
      <Flex gap={24} align="center" wrap>
        <Progress
          type="dashboard"
          percent={d.progress}
          format={pctFormat(d.progress)}
          status={d.status === "failed" ? "exception" : d.status === "completed" && !needsYou ? "success" : "normal"}
          strokeColor={needsYou ? "#d48806" : undefined}
          aria-label={`${t("detail.overall")} ${pct(d.progress)}%`}
          data-testid="overall-progress"
        />
        <div>
          <Typography.Text type="secondary">{t("detail.coursesDone")}</Typography.Text>
          <div style={{ fontSize: 24, fontWeight: 600 }} data-testid="courses-done">
            {d.completed_courses} / {d.total_courses}
          </div>
          <Typography.Text type="secondary">{t("detail.eta")}</Typography.Text>
          <Forecast task={d} />
        </div>
      </Flex>
    </Card>
  );
}

/**
 * When it will be done, as the forecast says (and under which limits); what it waits for now, and until
 * when; the courses whose deadline it misses. A paused task is forecast again when it resumes.
 */
function Forecast({ task: d }: { task: Task }) {
  const { t } = useI18n();
  const f = d.forecast;
  const wait = waitText(d, t);
  const missed = d.courses.filter((c) => c.forecast?.misses_deadline && c.deadline);
  const text = f
    ? f.finish_at ? t("fc.finish", { at: dateText(f.finish_at, t, true), days: daysText(f.study_days, t) }) : t("fc.never")
    : d.status === "paused" ? t("fc.paused") : d.status === "pending" ? t("fc.pending") : t("eta.none");
  return (
    <div style={{ maxWidth: 420 }}>
      <div style={{ fontSize: 16 }} data-testid="eta">
        {text}
      </div>
      {f && (
        <Typography.Text type="secondary" style={{ fontSize: 12, display: "block" }} data-testid="forecast-basis">
          {basisText(f, t)}
          {f.estimated ? ` · ${t("fc.estimated")}` : ""}
        </Typography.Text>
      )}
      {wait && (
        <Typography.Text style={{ fontSize: 13, display: "block" }} data-testid="wait">
          {wait}
        </Typography.Text>
      )}
      {missed.map((c) => (
        <Typography.Text key={`${c.course_id}-${c.clazz_id}`} type="danger" style={{ fontSize: 13, display: "block" }} data-testid="deadline-missed">
          {t("fc.missed", { course: c.name ?? c.course_id, date: c.forecast?.finish_at ? dateText(c.forecast.finish_at, t) : t("fc.never"), deadline: dateText(c.deadline!, t) })}
        </Typography.Text>
      ))}
    </div>
  );
}

/** The item being worked on, its clock moving with the player between reports; a paused one says where it stopped. */
function CurrentItem({ task: d }: { task: Task }) {
  const { t } = useI18n();
  const { time, progress } = useItemClock(d);
  return (
    <Card style={{ height: "100%" }}>
      <Typography.Text type="secondary">{t("detail.current")}</Typography.Text>
      <div style={{ fontSize: 16, margin: "4px 0 8px", minHeight: 24, overflowWrap: "anywhere" }} data-testid="current-item">
        {d.current_item ? <UserData>{d.current_item}</UserData> : t("detail.none")}
      </div>
      {d.item_total_time > 0 && (
        <>
          <Progress percent={Math.floor(progress)} status={d.status === "running" ? "active" : "normal"} aria-label={`${t("detail.current")} ${Math.floor(progress)}%`} />
          <div className="mono" data-testid="item-time">
            {clock(time)} / {clock(d.item_total_time)}
          </div>
          {d.status === "paused" && (
            <Typography.Text type="secondary" data-testid="paused-at">
              {t("detail.pausedAt", { time: clock(time) })}
            </Typography.Text>
          )}
        </>
      )}
      <Descriptions size="small" column={{ xs: 1, sm: 2 }} style={{ marginTop: 12 }}>
        <Descriptions.Item label={t("detail.start")}>{when(d.start_time)}</Descriptions.Item>
        <Descriptions.Item label={t("detail.speed")}>{d.speed ? `${d.speed.toFixed(1)}×` : t("detail.default")}</Descriptions.Item>
        <Descriptions.Item label={t("detail.notopen")}>{d.notopen_action ? t(`settings.notopen.${d.notopen_action}`) : t("detail.default")}</Descriptions.Item>
        {d.queue_position !== null && <Descriptions.Item label={t("detail.queueLabel")}>{t("detail.queue", { n: d.queue_position })}</Descriptions.Item>}
        {d.today && (
          <Descriptions.Item label={t("detail.today")}>
            <span data-testid="task-today">{t("limits.today", { used: d.today.media_minutes, cap: d.today.daily_cap_minutes })}</span>
          </Descriptions.Item>
        )}
      </Descriptions>
    </Card>
  );
}

/** When the task has ended: what it did, instead of a current item stuck at 00:00 / 00:00. */
function Summary({ task: d }: { task: Task }) {
  const { t } = useI18n();
  const took = d.start_time && d.end_time ? (Date.parse(d.end_time) - Date.parse(d.start_time)) / 1000 : null;
  return (
    <Card style={{ height: "100%" }} title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("detail.summary")}</h2>} data-testid="summary">
      <Row gutter={[16, 16]}>
        <Col xs={12} sm={8}>
          <Statistic title={t("detail.studyTime")} value={duration(d.study_seconds, t)} />
        </Col>
        <Col xs={12} sm={8}>
          <Statistic title={t("overview.jobsDone")} value={d.jobs_completed} />
        </Col>
        <Col xs={12} sm={8}>
          <Statistic title={t("detail.leftCount")} value={d.left_for_user.length} />
        </Col>
      </Row>
      <Descriptions size="small" column={{ xs: 1, sm: 2 }} style={{ marginTop: 12 }}>
        <Descriptions.Item label={t("detail.start")}>{when(d.start_time)}</Descriptions.Item>
        <Descriptions.Item label={t("detail.end")}>{when(d.end_time)}</Descriptions.Item>
        <Descriptions.Item label={t("detail.took")}>{took === null ? t("detail.none") : duration(took, t)}</Descriptions.Item>
        <Descriptions.Item label={t("detail.speed")}>{d.speed ? `${d.speed.toFixed(1)}×` : t("detail.default")}</Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
