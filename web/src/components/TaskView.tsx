import { ExportOutlined, ReloadOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Descriptions, Flex, List, Progress, Row, Statistic, Tag, Typography } from "antd";
import { useState } from "react";
import { ApiFailure, unwrap } from "../api/client";
import { useErrorText } from "../api/errors";
import { pendingApi } from "../api/pending";
import { coursesQuery, keys, type LeftItem, type LogLine, type Task } from "../api/queries";
import { useI18n, type MessageKey } from "../i18n";
import { clock, duration, pct, pctFormat, when } from "../lib/format";
import { basisText, dateText, daysText } from "../lib/forecastText";
import { reasonText, waitText, type Viewer } from "../lib/taskText";
import { useItemClock } from "../live/itemClock";
import { LogPanel } from "./LogPanel";
import { CodedText } from "./ServerText";
import { UserData } from "./UserData";

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

/** The body of a task page, shared by the owner's page and the admin's read-only view. */
export function TaskView({ task: d, viewer, owner, fetchLogs, liveLogs }: TaskViewProps) {
  const { t } = useI18n();
  return (
    <>
      {d.description && (
        <Typography.Paragraph style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }} data-testid="task-description">
          <Typography.Text type="secondary">{t("detail.description")}: </Typography.Text>
          <UserData>{d.description}</UserData>
        </Typography.Paragraph>
      )}
      <Outcome task={d} viewer={viewer} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Overall task={d} />
        </Col>
        <Col xs={24} lg={14}>
          {ACTIVE.has(d.status) ? <CurrentItem task={d} /> : <Summary task={d} />}
        </Col>
        <Col xs={24} lg={12}>
          <Breakdown task={d} owner={owner} />
        </Col>
        {d.left_for_user.length > 0 && (
          <Col xs={24} lg={12}>
            <LeftForUser task={d} owner={owner} />
          </Col>
        )}
        <Col xs={24}>
          <LogPanel taskId={d.id} logs={d.logs} live={liveLogs} fetchAfter={fetchLogs} />
        </Col>
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

/**
 * Per course: the engine's figures from the task (`courses`: status, task points done and still open,
 * study time), Chaoxing's own progress (from the course list, which costs Chaoxing calls: used when
 * already loaded, else on request) and the items left for the user in it. A task that never ran has no
 * figures yet: its course ids stand in.
 */
function Breakdown({ task: d, owner }: { task: Task; owner: boolean }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [asked, setAsked] = useState(false);
  const courses = useQuery({ ...coursesQuery, enabled: owner && (asked || qc.getQueryData(keys.courses) !== undefined) });
  const byId = new Map((courses.data ?? []).map((c) => [c.courseId, c]));
  const leftIn = (name: string | null | undefined) => (name ? d.left_for_user.filter((l) => l.course === name).length : null);
  type Unrun = { status: null; jobs_done: null; jobs_left: null; study_seconds: null; forecast: null; deadline: string | null; chapters: string[] | null };
  type Row = { course_id: string; name: string | null } & (Task["courses"][number] | Unrun);
  // A task that never ran: what it chose, if anything.
  const unrun = (course_id: string): Row => {
    const chosen = d.selection?.find((s) => s.course_id === course_id);
    return { course_id, name: null, status: null, jobs_done: null, jobs_left: null, study_seconds: null, forecast: null, deadline: chosen?.deadline ?? null, chapters: chosen?.chapters ?? null };
  };
  const rows: Row[] = d.courses.length ? d.courses : d.course_ids.map(unrun);
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("detail.breakdown")}</h2>} style={{ height: "100%" }} data-testid="breakdown">
      <List
        size="small"
        dataSource={rows}
        renderItem={(f, i) => {
          const c = byId.get(f.course_id);
          const name = f.name ?? c?.courseName ?? null;
          const left = leftIn(name);
          return (
            <List.Item key={`${f.course_id}-${i}`} style={{ display: "block" }} data-testid="course-figures">
              <Flex justify="space-between" gap={8} wrap>
                <Typography.Text strong style={{ overflowWrap: "anywhere" }}>
                  {name ? <UserData>{name}</UserData> : t("detail.courseId", { id: f.course_id })}
                </Typography.Text>
                <span>
                  {f.status && <Tag color={COURSE_STATUS_COLOR[f.status]}>{t(`detail.course.${f.status}`)}</Tag>}
                  {left ? <Tag color="orange">{t("detail.leftIn", { n: left })}</Tag> : null}
                </span>
              </Flex>
              {f.jobs_done !== null && (
                <Typography.Text type="secondary" style={{ fontSize: 12, display: "block" }}>
                  {f.jobs_left === null ? t("detail.course.jobsDone", { done: f.jobs_done }) : t("detail.course.jobs", { done: f.jobs_done, left: f.jobs_left })}
                  {" · "}
                  {t("detail.course.study", { time: duration(f.study_seconds ?? 0, t) })}
                </Typography.Text>
              )}
              <CoursePlan row={f} />
              {f.jobs_done !== null && f.media_check && <MediaCheck check={f.media_check} />}
              {c && c.progress !== null && <Progress percent={c.progress} size="small" format={pctFormat(c.progress)} aria-label={`${pct(c.progress)}%`} />}
            </List.Item>
          );
        }}
      />
      {owner && !courses.data && (
        <Button size="small" className="wrap-btn" icon={<ReloadOutlined />} loading={courses.isFetching} onClick={() => setAsked(true)} style={{ marginTop: 8 }}>
          {t("detail.loadCourses")}
        </Button>
      )}
      <Descriptions size="small" column={1} style={{ marginTop: 12 }}>
        <Descriptions.Item label={t("detail.studyTime")}>{duration(d.study_seconds, t)}</Descriptions.Item>
        <Descriptions.Item label={t("overview.jobsDone")}>{d.jobs_completed}</Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

const COURSE_STATUS_COLOR = { todo: "default", done: "green", skipped: "orange" } as const;

/** A course's own forecast, its deadline (red when the forecast misses it) and the chapters chosen. */
function CoursePlan({ row }: { row: { forecast: Task["courses"][number]["forecast"]; deadline: string | null; chapters: string[] | null } }) {
  const { t } = useI18n();
  const parts = [
    row.forecast ? t("detail.courseLeft", { time: duration(row.forecast.remaining_seconds, t) }) : null,
    row.forecast?.finish_at ? t("create.courseFinish", { date: dateText(row.forecast.finish_at, t) }) : null,
    row.chapters ? t("detail.chaptersChosen", { n: row.chapters.length }) : null,
  ].filter(Boolean);
  if (!parts.length && !row.deadline) return null;
  return (
    <Flex gap={6} wrap align="center" style={{ fontSize: 12 }} data-testid="course-plan">
      {parts.length > 0 && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{parts.join(" · ")}</Typography.Text>}
      {row.deadline && <Tag color={row.forecast?.misses_deadline ? "red" : undefined}>{t("detail.deadline", { date: dateText(row.deadline, t) })}</Tag>}
      {row.forecast?.misses_deadline && <Typography.Text type="danger" style={{ fontSize: 12 }}>{t("detail.missed")}</Typography.Text>}
    </Flex>
  );
}

/**
 * The next-morning check of a course's media (Chaoxing may take passed videos back overnight): verified,
 * awaiting the check, rolled back. Nothing while the task has passed no media.
 */
function MediaCheck({ check }: { check: Task["courses"][number]["media_check"] }) {
  const { t } = useI18n();
  if (check.verified + check.awaiting + check.rolled_back === 0) return null;
  return (
    <div data-testid="media-check" style={{ marginTop: 4 }}>
      <Flex gap={4} wrap>
        {check.verified > 0 && <Tag color="green">{t("detail.check.verified", { n: check.verified })}</Tag>}
        {check.awaiting > 0 && <Tag color="blue">{t("detail.check.awaiting", { n: check.awaiting })}</Tag>}
        {check.rolled_back > 0 && <Tag color="red">{t("detail.check.rolledBack", { n: check.rolled_back })}</Tag>}
      </Flex>
      {(check.awaiting > 0 || check.rolled_back > 0) && (
        <Typography.Text type="secondary" style={{ fontSize: 12, display: "block" }}>
          {t("detail.check.help")}
        </Typography.Text>
      )}
    </div>
  );
}

const KIND: Record<string, MessageKey> = {
  quiz: "kind.quiz",
  video: "kind.video",
  audio: "kind.audio",
  document: "kind.document",
  read: "kind.read",
  course: "kind.course",
  chapter: "kind.chapter",
  face: "kind.face",
};

/** Set once the server answered 404 to a recheck: the route is not there yet, so the button goes. */
let recheckMissing = false;

/** What the user must do in 学习通 themselves, each linking there; the owner can ask for a fresh check. */
function LeftForUser({ task: d, owner }: { task: Task; owner: boolean }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const qc = useQueryClient();
  const [missing, setMissing] = useState(recheckMissing);
  const recheck = useMutation({
    mutationFn: () => unwrap(pendingApi.POST("/api/tasks/{id}/recheck", { params: { path: { id: d.id } } })),
    onSuccess: (r) => {
      qc.setQueryData(keys.task(d.id), (old: Task | undefined) => (old ? { ...old, ...r.task } : old));
      void qc.invalidateQueries({ queryKey: keys.tasks });
      message.success(t("done.recheck"));
    },
    onError: (e) => {
      if (e instanceof ApiFailure && e.status === 404) {
        recheckMissing = true;
        setMissing(true);
        message.info(t("detail.recheckMissing"));
      } else message.error(errorText(e, { conflict: "error.conflict_task" }));
    },
  });
  return (
    <Card
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("detail.left")}</h2>}
      style={{ height: "100%" }}
      data-testid="left-for-user"
    >
      <Typography.Paragraph type="secondary">{t("detail.leftHint")}</Typography.Paragraph>
      {owner && !missing && (
        <Button className="wrap-btn" icon={<ReloadOutlined />} loading={recheck.isPending} onClick={() => recheck.mutate()} style={{ marginBottom: 12 }} data-testid="recheck">
          {t("detail.recheck")}
        </Button>
      )}
      <List<LeftItem>
        size="small"
        dataSource={d.left_for_user}
        pagination={d.left_for_user.length > 10 ? { pageSize: 10, size: "small", simple: true } : false}
        renderItem={(l) => (
          <List.Item key={`${l.course}|${l.chapter}|${l.item}`} style={{ display: "block" }}>
            <Flex gap={8} wrap align="center">
              <Tag>{KIND[l.kind] ? t(KIND[l.kind]!) : t("kind.other")}</Tag>
              {l.url ? (
                <Typography.Link href={l.url} target="_blank" rel="noopener noreferrer" style={{ overflowWrap: "anywhere" }}>
                  <UserData>{l.item || l.chapter || l.course}</UserData> <ExportOutlined aria-label={t("detail.opensInCx")} />
                </Typography.Link>
              ) : (
                <Typography.Text style={{ overflowWrap: "anywhere" }}>
                  <UserData>{l.item || l.chapter || l.course}</UserData>
                </Typography.Text>
              )}
            </Flex>
            <Typography.Text type="secondary" style={{ fontSize: 12, display: "block", overflowWrap: "anywhere" }}>
              <UserData>{[l.course, l.chapter].filter(Boolean).join(" · ")}</UserData>
            </Typography.Text>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              <CodedText code={l.reason_code} params={l.reason_params} text={l.reason} />
            </Typography.Text>
          </List.Item>
        )}
      />
    </Card>
  );
}
