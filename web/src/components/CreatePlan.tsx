/**
 * The create dialog's plan: for each chosen course its chapters (with the time each still takes, to tick
 * or untick) and a deadline (the class's end date by default), and the forecast of the whole under the
 * user's limits, asked of the server (POST /api/tasks/forecast) whenever the choice changes.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Alert, Checkbox, Collapse, DatePicker, Flex, Spin, Tag, Typography } from "antd";
import dayjs from "dayjs";
import { api, unwrap, type Body, type Res } from "../api/client";
import { useErrorText } from "../api/errors";
import type { Course } from "../api/queries";
import { useI18n } from "../i18n";
import { duration } from "../lib/format";
import { dateText, forecastSentence } from "../lib/forecastText";
import { UserData } from "./UserData";

type Preview = Res<"/api/tasks/forecast", "post">;
type PreviewCourse = Preview["courses"][number];

/** What the user chose of one class: chapters (null: all) and a deadline (undefined: the class's end date; null: none). */
export interface Choice {
  chapters: string[] | null;
  deadline?: string | null;
}

export const classKey = (c: { courseId: string; clazzId: string } | { course_id: string; clazz_id: string }): string =>
  "courseId" in c ? `${c.courseId}:${c.clazzId}` : `${c.course_id}:${c.clazz_id}`;

/** The `classes` of a create (or forecast) request for these classes and choices. */
export function choicesBody(courses: Course[], choices: Record<string, Choice>): NonNullable<Body<"/api/tasks", "post">["classes"]> {
  return courses.map((c) => {
    const ch = choices[classKey(c)];
    return {
      course_id: c.courseId,
      clazz_id: c.clazzId,
      ...(ch?.chapters ? { chapters: ch.chapters } : {}),
      ...(ch && ch.deadline !== undefined ? { deadline: ch.deadline } : {}),
    };
  });
}

/** A course with every chapter unticked: nothing to forecast or create until one is ticked again. */
export const emptyChoice = (choices: Record<string, Choice>): boolean => Object.values(choices).some((c) => c.chapters?.length === 0);

export function usePlanForecast(courses: Course[], choices: Record<string, Choice>, speed: number | undefined) {
  const body: Body<"/api/tasks/forecast", "post"> = { classes: choicesBody(courses, choices), ...(speed ? { speed } : {}) };
  return useQuery({
    queryKey: ["forecast", body],
    queryFn: () => unwrap(api.POST("/api/tasks/forecast", { body })),
    enabled: !emptyChoice(choices),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    retry: false,
  });
}

export function CreatePlan({ courses, choices, onChange, speed }: {
  courses: Course[];
  choices: Record<string, Choice>;
  onChange: (key: string, choice: Choice) => void;
  speed: number | undefined;
}) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const forecast = usePlanForecast(courses, choices, speed);
  const f = forecast.data;
  if (!f) {
    return forecast.error ? (
      <Alert type="error" showIcon title={t("fc.failed", { error: errorText(forecast.error) })} />
    ) : (
      <Flex gap={8} align="center" data-testid="forecast-reading">
        <Spin size="small" />
        <Typography.Text type="secondary">{t("fc.reading")}</Typography.Text>
      </Flex>
    );
  }
  const missed = f.courses.filter((c) => c.forecast.misses_deadline && c.deadline);
  return (
    <Flex vertical gap={8}>
      <Alert
        type={f.misses_deadline ? "warning" : "info"}
        showIcon
        data-testid="create-forecast"
        title={
          <span>
            {forecastSentence(f, t)} {forecast.isFetching && <Spin size="small" />}
          </span>
        }
        description={
          missed.length || f.estimated ? (
            <>
              {missed.map((c) => (
                <div key={classKey(c)} data-testid="create-missed">
                  {t("fc.missed", { course: c.name, date: c.forecast.finish_at ? dateText(c.forecast.finish_at, t) : t("fc.never"), deadline: dateText(c.deadline!, t) })}
                </div>
              ))}
              {f.estimated && <div>{t("fc.estimated")}</div>}
            </>
          ) : undefined
        }
      />
      {f.courses.map((c) => (
        <CourseChoice key={classKey(c)} course={c} choice={choices[classKey(c)] ?? { chapters: null }} onChange={(ch) => onChange(classKey(c), ch)} />
      ))}
    </Flex>
  );
}

function CourseChoice({ course: c, choice, onChange }: { course: PreviewCourse; choice: Choice; onChange: (c: Choice) => void }) {
  const { t } = useI18n();
  const open = c.chapters.filter((ch) => !ch.finished);
  const chosen = choice.chapters ?? open.map((ch) => ch.id);
  const seconds = c.chapters.filter((ch) => chosen.includes(ch.id)).reduce((n, ch) => n + ch.remaining_seconds, 0);
  const set = (ids: string[]) => onChange({ ...choice, chapters: ids.length === open.length ? null : ids });
  const deadline = choice.deadline === undefined ? c.end_date : choice.deadline;
  return (
    <div style={{ border: "1px solid var(--ant-color-border-secondary, #f0f0f0)", borderRadius: 8, padding: "8px 12px" }} data-testid="plan-course">
      <Flex justify="space-between" gap={8} wrap align="center">
        <Typography.Text strong style={{ overflowWrap: "anywhere" }}>
          <UserData>{c.name}</UserData>
        </Typography.Text>
        <DatePicker
          size="small"
          value={deadline ? dayjs(deadline.slice(0, 10)) : null}
          placeholder={t("create.noDeadline")}
          aria-label={`${t("create.deadline")} ${c.name}`}
          onChange={(d) => onChange({ ...choice, deadline: d ? d.format("YYYY-MM-DD") : null })}
          data-testid="plan-deadline"
        />
      </Flex>
      {c.face && <Tag color="orange" style={{ marginTop: 4, whiteSpace: "normal" }}>{t("create.face")}</Tag>}
      <Typography.Text type={c.forecast.misses_deadline ? "danger" : "secondary"} style={{ fontSize: 12, display: "block" }}>
        {c.forecast.finish_at ? t("create.courseFinish", { date: dateText(c.forecast.finish_at, t) }) : t("fc.never")}
      </Typography.Text>
      {open.length > 0 && (
        <Collapse
          size="small"
          ghost
          items={[
            {
              key: "chapters",
              label: <span data-testid="plan-chapters-toggle">{t("create.chaptersOf", { chosen: chosen.length, total: open.length, time: duration(seconds, t) })}</span>,
              children: (
                <Flex vertical gap={4} style={{ maxHeight: 240, overflowY: "auto" }}>
                  <Checkbox
                    checked={chosen.length === open.length}
                    indeterminate={chosen.length > 0 && chosen.length < open.length}
                    onChange={(e) => set(e.target.checked ? open.map((ch) => ch.id) : [])}
                  >
                    {t("create.allChapters")}
                  </Checkbox>
                  {open.map((ch) => (
                    <div key={ch.id} data-testid="plan-chapter">
                      <Checkbox checked={chosen.includes(ch.id)} onChange={(e) => set(e.target.checked ? [...chosen, ch.id] : chosen.filter((x) => x !== ch.id))}>
                        <UserData>{ch.title}</UserData>{" "}
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {duration(ch.remaining_seconds, t)}
                          {ch.estimated ? ` · ${t("create.estimated")}` : ""}
                        </Typography.Text>
                      </Checkbox>
                    </div>
                  ))}
                  {chosen.length === 0 && <Typography.Text type="danger">{t("create.noChapters")}</Typography.Text>}
                </Flex>
              ),
            },
          ]}
        />
      )}
    </div>
  );
}
