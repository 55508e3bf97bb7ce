import { z } from "@hono/zod-openapi";
import { LOG_LEVELS, NOTOPEN_ACTIONS, TASK_REASONS, TASK_STATUSES } from "../shared/enums";

/**
 * A task's fields, listed once. The D1 row (src/db/schema.ts, keys in the API's snake_case) is the API
 * shape minus `updated_at`; the task object owns every field but the identity ones and mirrors them into
 * the row; the live view adds what only the running engine knows. Everything else derives from here:
 * the OpenAPI components, `TaskLive` (shared with the dashboard), the mirror's columns (rows.ts).
 */

/** A coded sentence's parameters (src/shared/texts.ts). */
export const TextParamsSchema = z.record(z.string(), z.union([z.string(), z.number()])).openapi("TextParams");
/** A coded sentence on its own (a statistics warning): its code and parameters. */
export const CodedSchema = z.object({ code: z.string(), params: TextParamsSchema }).openapi("CodedText");

export const LeftItemSchema = z
  .object({
    course: z.string(),
    chapter: z.string(),
    item: z.string(),
    kind: z.string(),
    reason: z.string().openapi({ description: "原因（中文，供旧客户端显示）；新客户端按 reason_code 显示" }),
    reason_code: z.string().nullable().openapi({ description: "原因代码（src/shared/texts.ts 的 left.*）；旧任务的条目为 null" }),
    reason_params: TextParamsSchema.nullable().openapi({ description: "reason_code 的参数（课程、章节名等按原文显示）" }),
    url: z.string().nullable().openapi({ description: "在学习通中打开该章节（或课程）的链接；无可打开的页面时为 null" }),
  })
  .openapi("LeftForUser");
export type LeftForUser = z.infer<typeof LeftItemSchema>;

/** A class a task names: one (courseId, clazzId) of the user's course list. */
export const TaskClassSchema = z
  .object({
    course_id: z.string().regex(/^\d{1,20}$/, "courseId 应为数字"),
    clazz_id: z.string().regex(/^\d{1,20}$/, "clazzId 应为数字"),
  })
  .openapi("TaskClass");
export type TaskClass = z.infer<typeof TaskClassSchema>;

/**
 * A class a request names (POST /api/tasks, POST /api/tasks/forecast `classes`), with what to study of
 * it: the class alone (as before) studies all its chapters until its end date.
 */
export const TaskClassChoiceSchema = TaskClassSchema.extend({
  chapters: z.array(z.string().regex(/^\d{1,20}$/, "章节 id 应为数字")).min(1, "至少选择一个章节").max(1000).optional().openapi({
    description: "只学习这些章节（章节 id，见 POST /api/tasks/forecast 返回的 chapters）；省略：全部章节",
  }),
  deadline: z
    .union([z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.iso.datetime({ offset: true })], { error: "截止时间为 YYYY-MM-DD（北京时间当天结束）或带时区的 ISO 8601 时间" })
    .nullable()
    .optional()
    .openapi({ description: "截止时间：YYYY-MM-DD（北京时间当天 23:59:59）或 ISO 8601；省略：课程列表上班级的结课日期（endDate，有的话）；null：没有截止时间。截止时间最近的课程先学" }),
}).openapi("TaskClassChoice");
export type TaskClassChoice = z.infer<typeof TaskClassChoiceSchema>;

/** What a task studies of one class (POST /api/tasks `course_ids` and `classes`), as its row keeps it. */
export const SelectionSchema = z
  .object({
    course_id: z.string(),
    clazz_id: z.string(),
    chapters: z.array(z.string()).nullable().openapi({ description: "所选章节（章节 id）；null：全部章节" }),
    deadline: z.string().nullable().openapi({ description: "截止时间（ISO 8601）；null：没有" }),
  })
  .openapi("CourseSelection");

/**
 * When a course (or the task) will be done, as the forecast says (src/shared/forecast.ts). Not a named
 * component: a nullable reference to one loses its null in the document (an `allOf` without it).
 */
export const CourseForecastSchema = z
  .object({
    finish_at: z.string().nullable().openapi({ description: "预计完成时间（ISO 8601；显示为北京时间）；十年内完不成时为 null" }),
    study_days: z.number().int().openapi({ description: "从现在到完成需要的学习日（用到学习时段的天数，含今天）" }),
    remaining_seconds: z.number().int().openapi({ description: "仍需的学习时长（秒，不含等待）" }),
    misses_deadline: z.boolean().openapi({ description: "按预计赶不上截止时间" }),
  });

export const ForecastSchema = CourseForecastSchema.extend({
  computed_at: z.string().openapi({ description: "何时算出（此后改了限制、出现等待、跳过课程等都会重算）" }),
  estimated: z.boolean().openapi({ description: "部分章节没有读到时长（未开放、需解锁、或创建前没有读取课程），按任务点数估计" }),
  basis: z
    .object({
      window_start: z.string(),
      window_end: z.string(),
      daily_cap_minutes: z.number().int(),
      break_after_minutes: z.number().int(),
      other_tasks: z.number().int().openapi({ description: "同一超星账号上一起计算的其他运行中任务数（它们共用每日上限和视频锁）" }),
    })
    .openapi({ description: "按哪些限制算的（你的学习时段、每日上限、休息）" }),
});

export const TaskSchema = z
  .object({
    id: z.number().int(),
    user_id: z.number().int(),
    name: z.string(),
    description: z.string().nullable().openapi({ description: "任务说明（创建时可选填写）；没有时为 null" }),
    course_ids: z.array(z.string()).openapi({ description: "任务涉及的课程（courseId）；按课程选择时学习其未结束的全部班级" }),
    classes: z.array(TaskClassSchema).openapi({ description: "任务指定的班级（同一课程在多个班级时可选）；指定后该课程只学习这些班级，已结束的班级也会学习" }),
    selection: z.array(SelectionSchema).nullable().openapi({
      description: "创建时确定要学习的每个班级及其章节与截止时间（按 course_ids 与 classes 得出）；更早创建的任务为 null",
    }),
    created_at: z.string(),
    // Owned by the task object from here on.
    status: z.enum(TASK_STATUSES),
    reason: z.enum(TASK_REASONS).nullable().openapi({
      description:
        "细分状态（api-contract.md）: waiting_for_account, study_cap, upstream, outside_window, daily_cap, break（运行中等待）, risk_check（从风控暂停中恢复，超星尚未答复：正在确认风控是否解除，不算在学习）; captcha, notopen_ask, risk_control（超星风控：返回 202 且重新登录一次仍未解除）, relay_offline（没有在线的中继）, relay_outdated（中继版本过旧、已被拒绝连接：重新安装后自动继续）, user（暂停）; needs_you（已完成，但 left_for_user 中有需要你处理的内容）; user, admin, account_disabled（取消）; upstream, internal（失败）",
    }),
    progress: z.number().min(0).max(100),
    start_time: z.string().nullable(),
    end_time: z.string().nullable(),
    error_msg: z.string().nullable().openapi({ description: "失败原因（中文，供旧客户端显示）；新客户端按 error_code 显示" }),
    error_code: z.string().nullable().openapi({ description: "失败原因代码（src/shared/texts.ts 的 fail.*）；未失败或旧任务为 null" }),
    error_params: TextParamsSchema.nullable().openapi({ description: "error_code 的参数" }),
    completed_courses: z.number().int(),
    total_courses: z.number().int(),
    speed: z.number().nullable(),
    notopen_action: z.enum(NOTOPEN_ACTIONS).nullable(),
    left_for_user: z.array(LeftItemSchema),
    study_seconds: z.number().int(),
    jobs_completed: z.number().int(),
  })
  .openapi("Task");
export type TaskOut = z.infer<typeof TaskSchema>;

/** The fields the task object owns (everything but identity), all of them mirrored into the D1 row. */
const OwnedSchema = TaskSchema.omit({ id: true, user_id: true, name: true, description: true, course_ids: true, classes: true, selection: true, created_at: true });
export type Owned = z.infer<typeof OwnedSchema>;
export const OWNED_FIELDS = Object.keys(OwnedSchema.shape) as (keyof Owned)[];
/** Mirrored while running, between transitions: none of them is indexed, so an update is one row. */
export const PROGRESS_FIELDS = ["progress", "completed_courses", "total_courses", "left_for_user", "study_seconds", "jobs_completed"] as const satisfies readonly (keyof Owned)[];

/** One course of the task, as the engine counted it (the task page's per-course card). */
const TaskCourseSchema = z
  .object({
    course_id: z.string(),
    name: z.string().nullable().openapi({ description: "课程名（超星课程列表中的名称）；读取课程列表前、或账号中没有该课程时为 null" }),
    status: z.enum(["todo", "done", "needs_you", "skipped"]).openapi({
      description: "todo 未学完；done 已学完且没有留给用户的内容；needs_you 已学完，但有内容需要用户在学习通中手动完成（见 left_for_user）；skipped 整门课被跳过",
    }),
    jobs_done: z.number().int().openapi({ description: "本任务完成的任务点数" }),
    jobs_left: z.number().int().nullable().openapi({ description: "仍未完成的任务点数（按超星章节列表的待完成数）；读取章节列表前为 null" }),
    study_seconds: z.number().int().openapi({ description: "本任务在该课程上报的学习时长（秒）" }),
    clazz_id: z.string().nullable().openapi({ description: "班级；读取课程列表前为 null" }),
    chapters: z.array(z.string()).nullable().openapi({ description: "任务只学习这些章节（id）；null：全部" }),
    deadline: z.string().nullable().openapi({ description: "该课程的截止时间（ISO 8601）；null：没有" }),
    forecast: CourseForecastSchema.nullable().openapi({ description: "该课程的预计完成；已结束、或任务未在运行时为 null" }),
    media_check: z
      .object({
        verified: z.number().int().openapi({ description: "已核验：本任务通过的视频/音频，之后某天早上重新读取任务点时仍为已通过" }),
        awaiting: z.number().int().openapi({ description: "待核验：本任务通过、尚待次日早上检查的视频/音频（超星可能在夜里回溯进度）" }),
        rolled_back: z.number().int().openapi({ description: "被回溯：次日检查时超星已撤销其进度，正在重新学习或已留给你处理（left_for_user）" }),
      })
      .openapi("TaskCourseMediaCheck", {
        description:
          "次日核验（超星会在夜里回溯已通过的视频进度：一天视频时长过多或同时播放多个视频）。任务通过的视频/音频在之后某天早上（北京时间 6:00 起，在该账号的学习时段内）重新读取任务点确认；被回溯的会重新学习一次，任务完成后也会为此重新打开",
      }),
  })
  .openapi("TaskCourse");

/**
 * What only the running engine knows: where it is right now, and its per-course figures. Not mirrored to
 * D1: only a task's detail (which asks its object) shows them, and lists do not.
 */
const TransientSchema = z.object({
  current_item: z.string().nullable(),
  item_progress: z.number().int(),
  item_current_time: z.number(),
  item_total_time: z.number(),
  eta_seconds: z.number().nullable().openapi({ description: "预计还需多少秒完成（即 forecast.finish_at 减去现在，含学习时段、每日上限、休息等等待）；没有预计时为 null" }),
  forecast: ForecastSchema.nullable().openapi({
    description: "预计何时完成、需几个学习日（按你的学习时段、每日上限、休息、视频间隔和同账号其他任务计算）；任务未在运行时为 null",
  }),
  item_speed: z.number().openapi({ description: "当前媒体实际的播放速度（课程禁止倍速时为 1）；不在播放（等待、暂停、已到结尾）时为 0" }),
  item_time_limit: z.number().openapi({ description: "item_current_time 在下一次上报前最多走到的位置（秒）：客户端外推不超过它，且从不后退" }),
  item_rewatch: z.boolean().openapi({
    description: "当前视频正在从头重新观看（超星没有记入它的结尾：只按真实观看时长计）：这是新的一遍，时钟从头开始，以 1 倍速",
  }),
  queue_position: z.number().int().nullable(),
  notopen_chapter: z.string().nullable(),
  courses: z.array(TaskCourseSchema).openapi({ description: "每门课程的状态、完成/剩余任务点与学习时长；任务从未运行时为空" }),
  resumes_at: z.string().nullable().openapi({ description: "运行中等待（学习时段、每日上限、休息、超星的学习时长限制、重试）时：大约何时继续；否则为 null" }),
  today: z
    .object({ day: z.string(), media_minutes: z.number(), daily_cap_minutes: z.number().int() })
    .nullable()
    .openapi({ description: "你的这个超星账号今天（北京时间）已上报的媒体时长与每日上限，截至任务最近一次调用；与 GET /api/user/limits 的 today 相同。未调用过时为 null" }),
});
export const IDLE: z.infer<typeof TransientSchema> = {
  current_item: null, item_progress: 0, item_current_time: 0, item_total_time: 0, eta_seconds: null, forecast: null, item_speed: 0, item_time_limit: 0,
  item_rewatch: false,
  queue_position: null, notopen_chapter: null, courses: [],
  resumes_at: null, today: null,
};

/** `task_update.data` and the live part of a detail: owned plus transient fields. */
export const TaskLiveSchema = OwnedSchema.extend(TransientSchema.shape);
export type TaskLive = z.infer<typeof TaskLiveSchema>;

export const LogSchema = z
  .object({
    id: z.number().int(),
    task_id: z.number().int(),
    level: z.enum(LOG_LEVELS),
    message: z.string().openapi({ description: "日志（中文，由 code 与 params 生成，供旧客户端显示）" }),
    code: z.string().nullable().openapi({ description: "事件代码（src/shared/texts.ts）；早于 0.1.0 的版本（迁移 0005 之前）写入的日志为 null" }),
    params: TextParamsSchema.nullable().openapi({ description: "code 的参数；课程、章节、任务点名称按原文显示" }),
    created_at: z.string(),
  })
  .openapi("TaskLog");

export const TaskViewSchema = TaskSchema.extend(TransientSchema.shape);
export const TaskDetailSchema = TaskViewSchema.extend({ logs: z.array(LogSchema) }).openapi("TaskDetail");
export const ActionResultSchema = z.object({ message: z.string(), task: TaskViewSchema.openapi("TaskView") }).openapi("TaskActionResult");
