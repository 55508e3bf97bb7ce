/**
 * The lower part of a task page: per-course figures, the items left for the user, the log. Its own chunk
 * (TaskView loads it lazily): a phone on a slow line shows the task's state first.
 */
import { ExportOutlined, ReloadOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Card, Col, Descriptions, Flex, List, Progress, Tag, Typography } from "antd";
import { useState } from "react";
import { coursesQuery, keys, type LeftItem, type LogLine, type Task } from "../api/queries";
import { useI18n, type MessageKey } from "../i18n";
import { duration, pct, pctFormat } from "../lib/format";
import { dateText } from "../lib/forecastText";
import { LogPanel } from "./LogPanel";
import { itemPath } from "./NeedsYouCard";
import { CodedText } from "./ServerText";
import { UserData } from "./UserData";

export default function TaskViewMore({ task: d, owner, fetchLogs, liveLogs }: { task: Task; owner: boolean; fetchLogs: (afterId: number, limit: number) => Promise<LogLine[]>; liveLogs: boolean }) {
  return (
    <>
      <Col xs={24} lg={12}>
        <Breakdown task={d} owner={owner} />
      </Col>
      {d.left_for_user.length > 0 && (
        <Col xs={24} lg={12}>
          <LeftForUser task={d} />
        </Col>
      )}
      <Col xs={24}>
        <LogPanel taskId={d.id} logs={d.logs} live={liveLogs} fetchAfter={fetchLogs} />
      </Col>
    </>
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
                  {/* One word per course, agreeing with the header: a course with items left is never "done". */}
                  {f.status === "needs_you" ? (
                    <Tag color="orange">{t("detail.course.needs_you", { n: left ?? 0 })}</Tag>
                  ) : (
                    <>
                      {f.status && <Tag color={COURSE_STATUS_COLOR[f.status]}>{t(`detail.course.${f.status}`)}</Tag>}
                      {left && f.status !== "done" ? <Tag color="orange">{t("detail.leftIn", { n: left })}</Tag> : null}
                    </>
                  )}
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

/** What the user must do in 学习通 themselves, each named as the app shows it and linking to its web page. */
function LeftForUser({ task: d }: { task: Task }) {
  const { t } = useI18n();
  return (
    <Card
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("detail.left")}</h2>}
      style={{ height: "100%" }}
      data-testid="left-for-user"
    >
      <Typography.Paragraph type="secondary">{t("detail.leftHint")}</Typography.Paragraph>
      <List<LeftItem>
        size="small"
        dataSource={d.left_for_user}
        pagination={d.left_for_user.length > 10 ? { pageSize: 10, size: "small", simple: true } : false}
        renderItem={(l) => (
          <List.Item key={`${l.course}|${l.chapter}|${l.item}`} style={{ display: "block" }}>
            <Flex gap={8} wrap align="center">
              <Tag>{KIND[l.kind] ? t(KIND[l.kind]!) : t("kind.other")}</Tag>
              <Typography.Text strong style={{ overflowWrap: "anywhere" }}>
                <UserData>{itemPath(l)}</UserData>
              </Typography.Text>
            </Flex>
            {l.url && (
              <Typography.Link href={l.url} target="_blank" rel="noopener noreferrer" className="tap" style={{ fontSize: 12 }}>
                {t("detail.openWeb")} <ExportOutlined aria-label={t("detail.opensInCx")} />
              </Typography.Link>
            )}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              <CodedText code={l.reason_code} params={l.reason_params} text={l.reason} />
            </Typography.Text>
          </List.Item>
        )}
      />
    </Card>
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
