import { PlusOutlined, ReloadOutlined, SearchOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Checkbox, Flex, Form, Input, Modal, Progress, Radio, Segmented, Select, Slider, Spin, Table, Tag, Typography } from "antd";
import { useMemo, useState } from "react";
import { Link, useNavigate } from "react-router";
import { api, ApiFailure, unwrap, type Body } from "../api/client";
import { ErrorWithLink, useErrorText } from "../api/errors";
import { keys, notificationsQuery, relaysQuery, useCourses, type Course, type TaskRow } from "../api/queries";
import { CardList, ListCard, useIsPhone } from "../components/CardList";
import { choicesBody, CreatePlan, emptyChoice, type Choice } from "../components/CreatePlan";
import { NOTOPEN, SPEED_MARKS, type Notopen } from "../components/studyOptions";
import { callAction } from "../components/TaskActions";
import { usePageTitle } from "../components/usePageTitle";
import { UserData } from "../components/UserData";
import { useI18n } from "../i18n";
import { pct, pctFormat, when } from "../lib/format";
import { inOverlay, useBackCloses } from "../components/useBackCloses";

type Filter = "all" | "ongoing" | "ended";

/**
 * A course is listed once per class (a courseId can belong to two, reference CLI #604): a row, and what is
 * picked, is one class. Tasks name the classes picked, so an ended class the user ticks is studied too.
 */
const classKey = (c: Pick<Course, "courseId" | "clazzId">): string => `${c.courseId}:${c.clazzId}`;

export default function Courses() {
  const { t } = useI18n();
  usePageTitle(t("nav.courses"));
  const { message } = App.useApp();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const phone = useIsPhone();
  const [filter, setFilter] = useState<Filter>("ongoing");
  const [search, setSearch] = useState("");
  const [selected, setSelected] = useState<string[]>([]);
  const [creating, setCreating] = useState(false);

  const courses = useCourses();
  const refresh = useMutation({
    mutationFn: () => unwrap(api.GET("/api/courses/list", { params: { query: { refresh: "true" } } })),
    onSuccess: (list) => {
      qc.setQueryData(keys.courses, list);
      message.success(t("courses.refreshed"));
    },
    onError: (e) => message.error(errorText(e)),
  });

  const rows = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (courses.data ?? []).filter(
      (c) =>
        (filter === "all" || (filter === "ongoing" ? c.state === 0 : c.state === 1)) &&
        (!q || c.courseName.toLowerCase().includes(q) || c.teacherName.toLowerCase().includes(q)),
    );
  }, [courses.data, filter, search]);
  const picked = (courses.data ?? []).filter((c) => selected.includes(classKey(c)));
  const noAccount = courses.error instanceof ApiFailure && courses.error.code === "no_chaoxing_account";
  const toggle = (id: string, on: boolean) => setSelected((s) => (on ? [...s, id] : s.filter((x) => x !== id)));
  const stateTag = (s: number) => (s === 0 ? <Tag color="green">{t("courses.ongoing")}</Tag> : <Tag>{t("courses.ended")}</Tag>);
  const clazz = (c: Course) => (c.clazzName ? <UserData>{c.clazzName}</UserData> : <Typography.Text type="secondary">—</Typography.Text>);
  // null: Chaoxing refused the job counts, so the progress is unknown (never shown as 0 % or 100 %).
  const progress = (p: number | null) =>
    p === null ? <Typography.Text type="secondary">{t("courses.progressUnknown")}</Typography.Text> : <Progress percent={p} size="small" format={pctFormat(p)} aria-label={`${pct(p)}%`} />;

  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("courses.title")}</Typography.Title>
        <Button icon={<ReloadOutlined />} loading={refresh.isPending} onClick={() => refresh.mutate()}>
          {t("courses.refresh")}
        </Button>
      </div>
      {courses.error && (
        <Alert
          type={noAccount ? "info" : "error"}
          showIcon
          title={errorText(courses.error)}
          action={noAccount ? <Button onClick={() => navigate("/settings")}>{t("courses.toSettings")}</Button> : <Button onClick={() => void courses.refetch()}>{t("app.retry")}</Button>}
          style={{ marginBottom: 16 }}
        />
      )}
      <Card styles={phone ? { body: { padding: 12 } } : undefined}>
        <ReadingLine courses={courses} />
        <Flex gap={12} wrap style={{ marginBottom: 12 }}>
          <Segmented<Filter>
            value={filter}
            onChange={setFilter}
            options={[
              { value: "ongoing", label: t("courses.ongoing") },
              { value: "ended", label: t("courses.ended") },
              { value: "all", label: t("courses.all") },
            ]}
          />
          <Input allowClear prefix={<SearchOutlined />} placeholder={t("courses.search")} aria-label={t("courses.search")} value={search} onChange={(e) => setSearch(e.target.value)} style={{ maxWidth: 280 }} />
        </Flex>
        {phone ? (
          <CardList
            items={rows}
            rowKey={classKey}
            loading={(courses.isPending && !courses.data) || refresh.isPending}
            empty={t("courses.empty")}
            render={(c) => (
              <ListCard
                testId="course-row"
                onTap={() => toggle(classKey(c), !selected.includes(classKey(c)))}
                prefix={<Checkbox className="row-check" checked={selected.includes(classKey(c))} onChange={(e) => toggle(classKey(c), e.target.checked)} aria-label={t("courses.pick", { name: c.clazzName ? `${c.courseName} ${c.clazzName}` : c.courseName })} />}
                title={<UserData>{c.courseName}</UserData>}
                status={stateTag(c.state)}
              >
                {progress(c.progress)}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  <UserData>{c.teacherName}</UserData>
                  {c.clazzName && (
                    <>
                      {" · "}
                      {t("courses.clazzLabel")}
                      <UserData>{c.clazzName}</UserData>
                    </>
                  )}
                </Typography.Text>
              </ListCard>
            )}
          />
        ) : (
          <Table<Course>
            rowKey={classKey}
            loading={courses.isPending || refresh.isPending}
            dataSource={rows}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            className="wide-table"
            locale={{ emptyText: t("courses.empty") }}
            rowSelection={{ selectedRowKeys: selected, onChange: (k) => setSelected(k.map(String)), preserveSelectedRowKeys: true }}
            columns={[
              { title: t("courses.name"), dataIndex: "courseName", render: (name: string) => <Typography.Text strong><UserData>{name}</UserData></Typography.Text> },
              { title: t("courses.teacher"), dataIndex: "teacherName", width: 140, render: (v: string) => <UserData>{v}</UserData> },
              { title: t("courses.clazz"), dataIndex: "clazzName", width: 160, render: (_: string, c: Course) => clazz(c) },
              { title: t("courses.progress"), dataIndex: "progress", width: 200, render: progress },
              { title: t("courses.state"), dataIndex: "state", width: 100, render: stateTag },
            ]}
          />
        )}
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 13 }} data-testid="not-open-note">
          {t("courses.notOpenNote")}
        </Typography.Paragraph>
        <Typography.Paragraph type="secondary" style={{ marginTop: 4, marginBottom: 0, fontSize: 13 }} data-testid="classes-note">
          {t("courses.classesNote")}
        </Typography.Paragraph>
      </Card>
      {selected.length > 0 && (
        <Card size="small" className="sticky-bar" style={{ marginTop: 12 }}>
          <Flex justify="space-between" align="center" gap={8} wrap>
            <span>{t("courses.selected", { n: selected.length })}</span>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="create-task">
              {t("courses.create")}
            </Button>
          </Flex>
        </Card>
      )}
      {creating && (
        <CreateTask
          courses={picked}
          onClose={() => setCreating(false)}
          onCreated={(id) => {
            setSelected([]);
            // The dialog's history entry (back closes it) gives way to the task's page.
            navigate(`/tasks/${id}`, { replace: inOverlay() });
          }}
        />
      )}
    </>
  );
}

/**
 * The list is shown at once from the last copy while a fresh one is read (through the student's relay, a
 * few seconds): a line says so, and how old the copy on screen is.
 */
function ReadingLine({ courses }: { courses: ReturnType<typeof useCourses> }) {
  const { t } = useI18n();
  const relays = useQuery({ ...relaysQuery, staleTime: 60_000, enabled: courses.isFetching });
  if (!courses.isFetching) return null;
  const through = relays.data?.egress === "relay" ? t("courses.readingRelay") : t("courses.reading");
  return (
    <Typography.Paragraph type="secondary" style={{ fontSize: 13, marginBottom: 8 }} role="status" data-testid="courses-reading">
      <Spin size="small" style={{ marginInlineEnd: 8 }} />
      {through}
      {courses.data && courses.dataUpdatedAt > 0 && ` ${t("courses.copyFrom", { when: when(new Date(courses.dataUpdatedAt).toISOString()) })}`}
    </Typography.Paragraph>
  );
}

type Push = "serverchan" | "pushplus";
type CreateValues = { name: string; description?: string; customSpeed: boolean; speed: number; notopen: Notopen | "default"; push: Push; pushKey?: string };

/** The WeChat push channels a student binds with one key from a WeChat scan (src/notify/providers.ts). */
const PUSH_FIELD = { serverchan: "sendkey", pushplus: "token" } as const satisfies Record<Push, string>;
const PUSH_SITE: Record<Push, string> = { serverchan: "https://sct.ftqq.com", pushplus: "https://www.pushplus.plus" };

const LIVE = new Set(["pending", "running", "paused"]);

/** The push key was refused (a typo, a wrong length): said on its field, and no task is made. */
class PushKeyRefused extends Error {
  constructor(readonly refusal: unknown) {
    super("push key refused");
  }
}

/** The user's live tasks (newest 100: live tasks are recent), for the "already studying this course" warning. */
function useActiveTasks() {
  return useQuery({
    queryKey: [...keys.tasks, "live-for-create"],
    queryFn: async (): Promise<TaskRow[]> => (await unwrap(api.GET("/api/tasks", { params: { query: { page_size: 100 } } }))).items.filter((x) => LIVE.has(x.status)),
  });
}

function CreateTask({ courses, onClose, onCreated }: { courses: Course[]; onClose: () => void; onCreated: (id: number) => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const qc = useQueryClient();
  const [form] = Form.useForm<CreateValues>();
  const customSpeed = Form.useWatch("customSpeed", form);
  const first = courses[0]?.courseName ?? "";
  const defaultName = courses.length > 1 ? t("create.nameMore", { name: first, n: courses.length, more: courses.length - 1 }) : first;
  const live = useActiveTasks();
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const speed = Form.useWatch("speed", form);
  // Back closes the dialog first; the picked courses stay picked.
  useBackCloses(true, onClose);
  const notify = useQuery(notificationsQuery);
  // Nothing reaches a student who never opened Settings: offer WeChat in the same step as the task.
  const offerPush = notify.data !== undefined && !notify.data.channels.serverchan.enabled && !notify.data.channels.pushplus.enabled;
  const push = Form.useWatch("push", form) ?? "serverchan";
  // Each picked course that a live task already studies, with that task.
  const clashes = courses.flatMap((c) => (live.data ?? []).filter((task) => task.course_ids.includes(c.courseId)).map((task) => ({ course: c, task })));

  const create = useMutation({
    mutationFn: async ({ v, start }: { v: CreateValues; start: boolean }) => {
      const key = v.pushKey?.trim();
      if (key) {
        try {
          await unwrap(api.PUT("/api/user/notifications", { body: { channels: { [v.push]: { enabled: true, [PUSH_FIELD[v.push]]: key } } } }));
        } catch (e) {
          throw new PushKeyRefused(e);
        }
        void qc.invalidateQueries({ queryKey: keys.notifications });
      }
      // The classes picked: a course in two classes is studied in the one (or ones) ticked, ended or not,
      // each with the chapters ticked and its deadline.
      const body: Body<"/api/tasks", "post"> = { name: v.name.trim(), classes: choicesBody(courses, choices) };
      if (v.description?.trim()) body.description = v.description.trim();
      if (v.customSpeed) body.speed = Math.round(v.speed * 10) / 10;
      if (v.notopen !== "default") body.notopen_action = v.notopen;
      const task = await unwrap(api.POST("/api/tasks", { body }));
      if (start) await callAction(task.id, "start");
      return task;
    },
    onSuccess: (task) => {
      void qc.invalidateQueries({ queryKey: keys.tasks });
      void qc.invalidateQueries({ queryKey: keys.profile });
      message.success(t("create.created"));
      onCreated(task.id);
    },
    onError: (e) => {
      if (e instanceof PushKeyRefused) form.setFields([{ name: "pushKey", errors: [e.refusal instanceof ApiFailure && e.refusal.code === "validation_error" ? t("create.pushKeyInvalid") : errorText(e.refusal)] }]);
      else message.error(<ErrorWithLink error={e} text={errorText(e, { task_state: "error.conflict_start" })} linkText={t("error.goFix")} />);
    },
  });
  const submit = (start: boolean) => form.validateFields().then((v) => create.mutate({ v, start }));

  return (
    <Modal
      open
      title={t("create.title")}
      width={640}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        <Button key="c" onClick={() => submit(false)} loading={create.isPending && !create.variables?.start} disabled={emptyChoice(choices)}>
          {t("create.submit")}
        </Button>,
        <Button key="s" type="primary" onClick={() => submit(true)} loading={create.isPending && create.variables?.start} disabled={emptyChoice(choices)} data-testid="create-start">
          {t("create.submitStart")}
        </Button>,
      ]}
    >
      {clashes.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t("create.clashTitle")}
          data-testid="course-clash"
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {clashes.map(({ course, task }) => (
                <li key={`${course.courseId}-${task.id}`}>
                  <UserData>{course.courseName}</UserData> {t("create.clashIn")}{" "}
                  <Link to={`/tasks/${task.id}`} target="_blank">
                    <UserData>{task.name}</UserData>
                  </Link>{" "}
                  ({t(`status.${task.status}`)})
                </li>
              ))}
            </ul>
          }
        />
      )}
      <Form form={form} layout="vertical" initialValues={{ name: defaultName, customSpeed: false, speed: 1, notopen: "default", push: "serverchan" }}>
        <Form.Item name="name" label={t("create.name")} tooltip={t("create.nameTip")} rules={[{ required: true, whitespace: true, max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="description" label={t("create.description")} tooltip={t("create.descriptionTip")} rules={[{ max: 500 }]}>
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={500} data-testid="create-description" />
        </Form.Item>
        <Form.Item label={t("create.courses")}>
          <Flex gap={4} wrap>
            {courses.map((c) => (
              <Tag key={classKey(c)} style={{ whiteSpace: "normal" }}>
                <UserData>{c.courseName}</UserData>
                {c.clazzName && (
                  <>
                    {" · "}
                    <UserData>{c.clazzName}</UserData>
                  </>
                )}
                {c.state === 1 && ` (${t("courses.ended")})`}
              </Tag>
            ))}
          </Flex>
          {courses.some((c) => c.state === 1) && (
            <Typography.Paragraph type="secondary" style={{ margin: "8px 0 0", fontSize: 13 }} data-testid="ended-note">
              {t("create.endedNote")}
            </Typography.Paragraph>
          )}
        </Form.Item>
        <Form.Item label={t("create.plan")} tooltip={t("create.planTip")}>
          <CreatePlan courses={courses} choices={choices} onChange={(key, c) => setChoices((all) => ({ ...all, [key]: c }))} speed={customSpeed ? speed : undefined} />
        </Form.Item>
        <Form.Item label={t("create.speed")} tooltip={t("create.speedTip")} style={{ marginBottom: customSpeed ? 0 : undefined }}>
          <Form.Item name="customSpeed" valuePropName="checked" noStyle>
            <Checkbox>{t("create.custom")}</Checkbox>
          </Form.Item>
        </Form.Item>
        {customSpeed && (
          <Form.Item name="speed" extra={t("settings.speedRealTime")}>
            <Slider min={1} max={2} step={0.1} marks={SPEED_MARKS} ariaLabelForHandle={t("create.speed")} />
          </Form.Item>
        )}
        {offerPush && (
          <Form.Item label={t("create.push")} extra={t("create.pushHint")} style={{ marginBottom: 8 }} data-testid="create-push">
            <Form.Item name="push" noStyle>
              <Radio.Group optionType="button" options={[{ value: "serverchan", label: "Server酱" }, { value: "pushplus", label: "PushPlus" }]} />
            </Form.Item>
            <Form.Item name="pushKey" noStyle>
              <Input
                style={{ marginTop: 8 }}
                autoComplete="off"
                aria-label={t(push === "serverchan" ? "create.pushSendkey" : "create.pushToken")}
                placeholder={t(push === "serverchan" ? "create.pushSendkey" : "create.pushToken")}
              />
            </Form.Item>
            <Typography.Link href={PUSH_SITE[push]} target="_blank" rel="noopener noreferrer" style={{ display: "inline-block", marginTop: 4 }}>
              {t("create.pushGetKey", { site: new URL(PUSH_SITE[push]).host })}
            </Typography.Link>
          </Form.Item>
        )}
        <Form.Item name="notopen" label={t("create.notopen")} tooltip={t("create.notopenTip")}>
          <Select
            options={[
              { value: "default", label: t("create.useDefault") },
              ...NOTOPEN.map((k) => ({ value: k, label: `${t(`settings.notopen.${k}`)} — ${t(`settings.notopen.${k}D`)}` })),
            ]}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
