import { useQuery } from "@tanstack/react-query";
import { Alert, Card, DatePicker, Flex, Input, Select, Table, Tag, Typography } from "antd";
import type { Dayjs } from "dayjs";
import { useState, type ReactNode } from "react";
import { Link } from "react-router";
import { api, unwrap, type Res } from "../../api/client";
import { useErrorText } from "../../api/errors";
import { keys } from "../../api/queries";
import { CardList, ListCard, useIsPhone } from "../../components/CardList";
import { usePageTitle } from "../../components/usePageTitle";
import { UserData } from "../../components/UserData";
import { useI18n, type MessageKey, type Translate } from "../../i18n";
import { when } from "../../lib/format";

type Entry = Res<"/api/admin/audit", "get">["items"][number];
type Action = Entry["action"];
type TargetType = Entry["target_type"];

/** Every action the log knows, with its name (a missing one fails the type check). */
const ACTIONS: Record<Action, MessageKey> = {
  "user.list": "audit.action.user.list",
  "user.view": "audit.action.user.view",
  "user.update": "audit.action.user.update",
  "user.delete": "audit.action.user.delete",
  "user.reveal_phone": "audit.action.user.reveal_phone",
  "task.list": "audit.action.task.list",
  "task.view": "audit.action.task.view",
  "task.logs": "audit.action.task.logs",
  "task.force_stop": "audit.action.task.force_stop",
  "statistics.view": "audit.action.statistics.view",
  "notify.retry": "audit.action.notify.retry",
  "system.export": "audit.action.system.export",
  "system.import": "audit.action.system.import",
};
const TARGETS: Record<TargetType, MessageKey> = { user: "audit.target.user", task: "audit.target.task", system: "audit.target.system" };
const STATUS_KEYS = new Set(["pending", "running", "paused", "completed", "failed", "cancelled"]);

const actionColor = (a: Action) => (a.endsWith("delete") || a.endsWith("force_stop") ? "red" : a.endsWith("update") ? "blue" : undefined);

interface Filters {
  admin?: number;
  action?: Action;
  targetType?: TargetType;
  targetId?: string;
  range?: [Dayjs, Dayjs];
}

export default function AdminAudit() {
  const { t } = useI18n();
  usePageTitle(t("nav.adminAudit"));
  const errorText = useErrorText();
  const phone = useIsPhone();
  const [page, setPage] = useState(1);
  const [f, setF] = useState<Filters>({});
  const set = (next: Partial<Filters>) => {
    setF((old) => ({ ...old, ...next }));
    setPage(1);
  };
  const admins = useQuery({
    queryKey: [...keys.admin, "users", "admins"],
    queryFn: () => unwrap(api.GET("/api/admin/users", { params: { query: { role: "admin", page_size: 100 } } })),
    staleTime: 5 * 60_000,
  });
  const query = {
    page,
    page_size: 20,
    admin_id: f.admin,
    action: f.action,
    target_type: f.targetType,
    target_id: f.targetId || undefined,
    from: f.range?.[0].format("YYYY-MM-DD"),
    to: f.range?.[1].format("YYYY-MM-DD"),
  };
  const audit = useQuery({
    queryKey: [...keys.admin, "audit", query],
    queryFn: () => unwrap(api.GET("/api/admin/audit", { params: { query } })),
    placeholderData: (prev) => prev,
  });
  const rows = audit.data?.items ?? [];
  const actionTag = (a: Action) => <Tag color={actionColor(a)}>{t(ACTIONS[a])}</Tag>;
  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.adminAudit")}</Typography.Title>
      </div>
      {audit.error && <Alert type="error" showIcon title={errorText(audit.error)} style={{ marginBottom: 16 }} />}
      <Card styles={phone ? { body: { padding: 12 } } : undefined}>
        <Flex gap={8} wrap style={{ marginBottom: 12 }} data-testid="audit-filters">
          <Select<number | "all">
            style={{ width: 160 }}
            aria-label={t("admin.auditActor")}
            value={f.admin ?? "all"}
            onChange={(v) => set({ admin: v === "all" ? undefined : v })}
            options={[{ value: "all", label: t("audit.allAdmins") }, ...(admins.data?.items ?? []).map((u) => ({ value: u.id, label: u.username }))]}
          />
          <Select<Action | "all">
            style={{ width: 180 }}
            aria-label={t("admin.auditAction")}
            value={f.action ?? "all"}
            onChange={(v) => set({ action: v === "all" ? undefined : v })}
            options={[{ value: "all", label: t("audit.allActions") }, ...(Object.keys(ACTIONS) as Action[]).map((a) => ({ value: a, label: t(ACTIONS[a]) }))]}
          />
          <Select<TargetType | "all">
            style={{ width: 120 }}
            aria-label={t("admin.auditTarget")}
            value={f.targetType ?? "all"}
            onChange={(v) => set({ targetType: v === "all" ? undefined : v })}
            options={[{ value: "all", label: t("audit.allTargets") }, ...(Object.keys(TARGETS) as TargetType[]).map((k) => ({ value: k, label: t(TARGETS[k]) }))]}
          />
          <Input.Search allowClear style={{ width: 140 }} placeholder={t("audit.targetId")} aria-label={t("audit.targetId")} inputMode="numeric" onSearch={(v) => set({ targetId: v.trim() })} />
          <DatePicker.RangePicker
            allowEmpty={[true, true]}
            value={f.range}
            onChange={(v) => set({ range: v && v[0] && v[1] ? [v[0], v[1]] : undefined })}
            aria-label={t("audit.dates")}
            placeholder={[t("audit.from"), t("audit.to")]}
            style={{ maxWidth: "100%" }}
          />
        </Flex>
        {phone ? (
          <CardList
            items={rows}
            rowKey={(e) => e.id}
            loading={audit.isPending}
            page={{ current: page, pageSize: 20, total: audit.data?.total ?? 0, onChange: setPage }}
            render={(e) => (
              <ListCard title={actionTag(e.action)} status={<Typography.Text type="secondary" style={{ fontSize: 12 }}>{when(e.created_at)}</Typography.Text>}>
                <div>
                  <UserData>{e.admin_username}</UserData> → <Target entry={e} />
                </div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  <Details entry={e} />
                </Typography.Text>
              </ListCard>
            )}
          />
        ) : (
          <Table<Entry>
            rowKey="id"
            size="small"
            loading={audit.isPending}
            dataSource={rows}
            className="wide-table"
            pagination={{ current: page, pageSize: 20, total: audit.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
            columns={[
              { title: t("admin.auditTime"), dataIndex: "created_at", width: 170, render: (v: string) => when(v) },
              { title: t("admin.auditActor"), dataIndex: "admin_username", width: 120, render: (v: string) => <UserData>{v}</UserData> },
              { title: t("admin.auditAction"), dataIndex: "action", width: 150, render: actionTag },
              { title: t("admin.auditTarget"), key: "target", width: 120, render: (_, e) => <Target entry={e} /> },
              { title: t("admin.auditDetail"), key: "details", render: (_, e) => <Details entry={e} /> },
            ]}
          />
        )}
      </Card>
    </>
  );
}

function Target({ entry: e }: { entry: Entry }) {
  const { t } = useI18n();
  if (!e.target_id) return <>{t(TARGETS[e.target_type])}</>;
  const text = t(e.target_type === "task" ? "audit.taskN" : e.target_type === "user" ? "audit.userN" : "audit.target.system", { id: e.target_id });
  if (e.target_type === "user") return <Link to={`/admin/users/${e.target_id}`}>{text}</Link>;
  if (e.target_type === "task") return <Link to={`/admin/tasks/${e.target_id}`}>{text}</Link>;
  return <>{text}</>;
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** A value in a user.update change, in words: roles and switches translated, addresses as written. */
function changeValue(field: string, v: unknown, t: Translate): ReactNode {
  if (field === "role" && (v === "user" || v === "admin")) return t(`role.${v}`);
  if (field === "is_active") return t(v ? "admin.active" : "admin.inactive");
  return <UserData>{str(v) ?? "—"}</UserData>;
}

const FIELD: Record<string, MessageKey> = { role: "profile.role", is_active: "admin.active", email: "auth.email" };

/** The details of an entry from the catalogue; keys it does not know are kept, folded, as the server wrote them. */
function Details({ entry: e }: { entry: Entry }) {
  const { t } = useI18n();
  const d = e.details as Record<string, unknown>;
  const parts: ReactNode[] = [];
  const known = new Set<string>();
  const take = (k: string) => (known.add(k), d[k]);
  const status = (s: unknown) => (typeof s === "string" && STATUS_KEYS.has(s) ? t(`status.${s as "pending"}`) : str(s));
  switch (e.action) {
    case "user.update": {
      const name = take("username");
      const changes = (take("changes") ?? {}) as Record<string, { from: unknown; to: unknown }>;
      parts.push(<UserData key="u">{str(name)}</UserData>);
      for (const [field, c] of Object.entries(changes)) {
        parts.push(
          <span key={field}>
            {FIELD[field] ? t(FIELD[field]!) : field}: {changeValue(field, c.from, t)} → {changeValue(field, c.to, t)}
          </span>,
        );
      }
      break;
    }
    case "user.delete":
      parts.push(
        <span key="u">
          <UserData>{str(take("username"))}</UserData> (<UserData>{str(take("email"))}</UserData>)
        </span>,
        t("audit.d.tasksDeleted", { n: Number(take("tasks_deleted") ?? 0), cancelled: Number(take("tasks_cancelled") ?? 0) }),
      );
      take("role");
      break;
    case "user.view":
    case "user.reveal_phone":
      parts.push(<UserData key="u">{str(take("username"))}</UserData>);
      break;
    case "user.list": {
      const search = str(take("search"));
      const role = take("role");
      const active = take("is_active");
      if (search) parts.push(<span key="s">{t("audit.d.search")} <UserData>{search}</UserData></span>);
      if (role === "user" || role === "admin") parts.push(`${t("profile.role")}: ${t(`role.${role}`)}`);
      if (typeof active === "boolean") parts.push(t(active ? "admin.active" : "admin.inactive"));
      if (!parts.length) parts.push(t("audit.d.noFilter"));
      break;
    }
    case "task.list": {
      const s = take("status");
      const user = take("user_id");
      if (s) parts.push(`${t("tasks.status")}: ${status(s)}`);
      if (user) parts.push(t("audit.userN", { id: String(user) }));
      if (!parts.length) parts.push(t("audit.d.noFilter"));
      break;
    }
    case "task.view":
    case "task.logs":
    case "task.force_stop": {
      parts.push(<UserData key="n">{str(take("task_name"))}</UserData>);
      const user = take("user_id");
      if (user) parts.push(t("audit.userN", { id: String(user) }));
      const from = take("from_status");
      if (from) parts.push(t("audit.d.fromStatus", { status: status(from) ?? "" }));
      const reason = str(take("reason"));
      if (reason) parts.push(<span key="r">{t("audit.d.reason")} <UserData>{reason}</UserData></span>);
      break;
    }
    case "statistics.view": {
      const view = take("view");
      if (view === "engine") parts.push(t("audit.d.engine"));
      if (view === "diagnostics") parts.push(t("audit.d.diagnostics"));
      break;
    }
  }
  const rest = Object.keys(d).filter((k) => !known.has(k));
  return (
    <span style={{ overflowWrap: "anywhere" }}>
      {parts.map((p, i) => (
        <span key={i}>
          {i > 0 && " · "}
          {p}
        </span>
      ))}
      {rest.length > 0 && (
        <details style={{ display: "inline-block", marginInlineStart: parts.length ? 8 : 0 }}>
          <summary>{t("audit.d.more")}</summary>
          <code style={{ fontSize: 12, wordBreak: "break-all" }}>{JSON.stringify(Object.fromEntries(rest.map((k) => [k, d[k]])))}</code>
        </details>
      )}
    </span>
  );
}
