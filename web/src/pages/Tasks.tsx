import { CaretRightOutlined, DeleteOutlined, PlusOutlined, ReloadOutlined, StopOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Checkbox, Flex, Select, Table, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { keys, useTaskList, type TaskRow } from "../api/queries";
import { CardList, ListCard, useIsPhone } from "../components/CardList";
import { STATUSES, StatusTag } from "../components/StatusTag";
import { ALLOWED, callAction, TaskActions, useTaskCardActions, type TaskAction } from "../components/TaskActions";
import { TaskProgress } from "../components/TaskProgress";
import { usePageTitle } from "../components/usePageTitle";
import { UserData } from "../components/UserData";
import { useI18n } from "../i18n";
import { when } from "../lib/format";
import { useLiveTasks } from "../live/sync";

export default function Tasks() {
  const { t } = useI18n();
  usePageTitle(t("nav.tasks"));
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const phone = useIsPhone();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get("page")) || 1);
  const pageSize = Number(params.get("size")) || 20;
  const statusParam = params.get("status");
  const status = STATUSES.find((s) => s === statusParam);
  const list = useTaskList(page, pageSize, status);
  // As secondary text: antd's own empty text is too faint to read (WCAG AA contrast).
  const empty = <Typography.Text type="secondary">{t("tasks.empty")}</Typography.Text>;
  const [selected, setSelected] = useState<number[]>([]);
  const [batching, setBatching] = useState<TaskAction | null>(null);
  useLiveTasks(list.data?.items.filter((x) => x.status === "running" || x.status === "paused").map((x) => x.id) ?? []);

  const setQuery = (next: Record<string, string | undefined>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) v ? p.set(k, v) : p.delete(k);
    setParams(p, { replace: true });
  };

  const rows = list.data?.items ?? [];
  const chosen = rows.filter((r) => selected.includes(r.id));
  const eligible = (a: TaskAction) => chosen.filter((r) => ALLOWED[r.status].includes(a));

  const runBatch = async (a: TaskAction) => {
    const targets = eligible(a);
    setBatching(a);
    const results = await Promise.allSettled(targets.map((r) => callAction(r.id, a)));
    setBatching(null);
    const fail = results.filter((r) => r.status === "rejected").length;
    (fail ? message.warning : message.success)(t("tasks.batchDone", { ok: results.length - fail, fail }));
    setSelected([]);
    void qc.invalidateQueries({ queryKey: keys.tasks });
    void qc.invalidateQueries({ queryKey: keys.profile });
  };
  const confirmBatch = (a: "cancel" | "delete") =>
    modal.confirm({
      title: t(a === "cancel" ? "action.confirmBatchCancel" : "action.confirmBatchDelete", { n: eligible(a).length }),
      okText: t("action.ok"),
      cancelText: t("action.no"),
      okButtonProps: { danger: true },
      onOk: () => runBatch(a),
    });
  const toggle = (id: number, on: boolean) => setSelected((s) => (on ? [...s, id] : s.filter((x) => x !== id)));

  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("tasks.title")}</Typography.Title>
        <Flex gap={8} wrap>
          <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isFetching}>
            {t("tasks.refresh")}
          </Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate("/courses")}>
            {t("tasks.new")}
          </Button>
        </Flex>
      </div>
      <Card styles={phone ? { body: { padding: 12 } } : undefined}>
        <Flex gap={8} wrap align="center" style={{ marginBottom: 12 }}>
          <Select
            style={{ width: 160 }}
            aria-label={t("tasks.filterStatus")}
            value={status ?? "all"}
            onChange={(v) => setQuery({ status: v === "all" ? undefined : v, page: undefined })}
            options={[{ value: "all", label: t("tasks.allStatus") }, ...STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))]}
          />
          {selected.length > 0 && (
            <Flex gap={8} wrap align="center" data-testid="batch-bar">
              <Typography.Text type="secondary">{t("tasks.selected", { n: selected.length })}</Typography.Text>
              <Button icon={<CaretRightOutlined />} disabled={!eligible("start").length} loading={batching === "start"} onClick={() => void runBatch("start")}>
                {t("action.start")} ({eligible("start").length})
              </Button>
              <Button danger icon={<StopOutlined />} disabled={!eligible("cancel").length} loading={batching === "cancel"} onClick={() => confirmBatch("cancel")}>
                {t("action.cancel")} ({eligible("cancel").length})
              </Button>
              <Button danger icon={<DeleteOutlined />} disabled={!eligible("delete").length} loading={batching === "delete"} onClick={() => confirmBatch("delete")}>
                {t("action.delete")} ({eligible("delete").length})
              </Button>
            </Flex>
          )}
        </Flex>
        {phone ? (
          <CardList
            items={rows}
            rowKey={(r) => r.id}
            loading={list.isPending}
            empty={empty}
            page={{ current: page, pageSize, total: list.data?.total ?? 0, onChange: (p) => setQuery({ page: String(p) }) }}
            render={(r) => <TaskCard task={r} selected={selected.includes(r.id)} onSelect={(on) => toggle(r.id, on)} />}
          />
        ) : (
          <Table<TaskRow>
            rowKey="id"
            loading={list.isPending}
            dataSource={rows}
            className="wide-table"
            locale={{ emptyText: empty }}
            rowSelection={{ selectedRowKeys: selected, onChange: (k) => setSelected(k.map(Number)) }}
            pagination={{
              current: page,
              pageSize,
              total: list.data?.total ?? 0,
              showSizeChanger: true,
              onChange: (p, size) => setQuery({ page: String(p), size: size === 20 ? undefined : String(size) }),
            }}
            columns={[
              { title: t("common.id"), dataIndex: "id", width: 70 },
              // A minimum, or the fixed columns leave a Chinese name one character wide at laptop sizes.
              { title: t("tasks.name"), dataIndex: "name", minWidth: 160, render: (name: string, r) => <Link to={`/tasks/${r.id}`}><UserData>{name}</UserData></Link> },
              { title: t("tasks.status"), key: "status", width: 170, render: (_, r) => <StatusTag task={r} /> },
              { title: t("tasks.progress"), key: "progress", width: 200, render: (_, r) => <TaskProgress task={r} compact /> },
              { title: t("tasks.courses"), key: "courses", width: 80, render: (_, r) => `${r.completed_courses} / ${r.total_courses}` },
              { title: t("tasks.created"), dataIndex: "created_at", width: 160, render: (v: string) => when(v) },
              { title: t("tasks.actions"), key: "actions", width: 220, render: (_, r) => <TaskActions task={r} /> },
            ]}
          />
        )}
      </Card>
    </>
  );
}

function TaskCard({ task, selected, onSelect }: { task: TaskRow; selected: boolean; onSelect: (on: boolean) => void }) {
  const { t } = useI18n();
  const { action, menu } = useTaskCardActions(task);
  return (
    <ListCard
      prefix={<Checkbox checked={selected} onChange={(e) => onSelect(e.target.checked)} aria-label={t("tasks.select", { name: task.name })} />}
      title={<Link to={`/tasks/${task.id}`} className="tap"><UserData>{task.name}</UserData></Link>}
      status={<StatusTag task={task} />}
      action={action}
      menu={menu}
    >
      <TaskProgress task={task} compact />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t("tasks.coursesOf", { done: task.completed_courses, total: task.total_courses })} · {when(task.created_at)}
      </Typography.Text>
    </ListCard>
  );
}
