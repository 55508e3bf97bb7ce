import { SearchOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Card, Flex, Input, Select, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { keys, type AdminUserRow } from "../../api/queries";
import { ActiveSwitch } from "../../components/ActiveSwitch";
import { CardList, ListCard, useIsPhone } from "../../components/CardList";
import { usePageTitle } from "../../components/usePageTitle";
import { UserData } from "../../components/UserData";
import { useI18n } from "../../i18n";
import { when } from "../../lib/format";

const liveTasks = (r: AdminUserRow) => r.task_counts.pending + r.task_counts.running + r.task_counts.paused;

export default function AdminUsers() {
  const { t } = useI18n();
  usePageTitle(t("nav.adminUsers"));
  const phone = useIsPhone();
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState("");
  const [role, setRole] = useState<"user" | "admin" | undefined>();
  const [active, setActive] = useState<boolean | undefined>();
  const users = useQuery({
    queryKey: [...keys.admin, "users", page, search, role ?? "", String(active)],
    queryFn: () => unwrap(api.GET("/api/admin/users", { params: { query: { page, page_size: 20, search: search || undefined, role, is_active: active === undefined ? undefined : active ? "true" : "false" } } })),
    placeholderData: (prev) => prev,
  });
  const rows = users.data?.items ?? [];
  const roleTag = (v: AdminUserRow["role"]) => <Tag color={v === "admin" ? "purple" : undefined}>{t(`role.${v}`)}</Tag>;
  const taskCount = (r: AdminUserRow) => (r.task_counts.running ? t("admin.tasksRunning", { n: r.task_counts.total, running: r.task_counts.running }) : String(r.task_counts.total));
  const switchOf = (r: AdminUserRow) => <ActiveSwitch user={{ id: r.id, username: r.username, is_active: r.is_active, liveTasks: liveTasks(r) }} />;
  const name = (r: AdminUserRow) => (
    <Link to={`/admin/users/${r.id}`} className="tap">
      <UserData>{r.username}</UserData>
    </Link>
  );
  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.adminUsers")}</Typography.Title>
      </div>
      <Card styles={phone ? { body: { padding: 12 } } : undefined}>
        <Flex gap={8} wrap style={{ marginBottom: 12 }}>
          <Input.Search
            allowClear
            prefix={<SearchOutlined />}
            placeholder={t("admin.search")}
            aria-label={t("admin.search")}
            onSearch={(v) => {
              setSearch(v.trim());
              setPage(1);
            }}
            style={{ maxWidth: 280 }}
          />
          <Select<"user" | "admin" | "all">
            style={{ width: 140 }}
            aria-label={t("profile.role")}
            value={role ?? "all"}
            onChange={(v) => {
              setRole(v === "all" ? undefined : v);
              setPage(1);
            }}
            options={[
              { value: "all", label: t("admin.allRoles") },
              { value: "user", label: t("role.user") },
              { value: "admin", label: t("role.admin") },
            ]}
          />
          <Select
            style={{ width: 120 }}
            aria-label={t("admin.active")}
            value={active === undefined ? "all" : active ? "1" : "0"}
            onChange={(v) => {
              setActive(v === "all" ? undefined : v === "1");
              setPage(1);
            }}
            options={[
              { value: "all", label: t("admin.allActive") },
              { value: "1", label: t("admin.active") },
              { value: "0", label: t("admin.inactive") },
            ]}
          />
        </Flex>
        {phone ? (
          <CardList
            items={rows}
            rowKey={(r) => r.id}
            loading={users.isPending}
            page={{ current: page, pageSize: 20, total: users.data?.total ?? 0, onChange: setPage }}
            render={(r) => (
              <ListCard title={name(r)} status={roleTag(r.role)} action={<Flex gap={6} align="center">{t("admin.active")} {switchOf(r)}</Flex>}>
                <Typography.Text type="secondary" style={{ fontSize: 12, display: "block", overflowWrap: "anywhere" }}>
                  <UserData>{r.email}</UserData>
                </Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t("admin.tasks")} {taskCount(r)} · {t("profile.lastLogin")} {when(r.last_login)}
                </Typography.Text>
              </ListCard>
            )}
          />
        ) : (
          <Table<AdminUserRow>
            rowKey="id"
            loading={users.isPending}
            dataSource={rows}
            className="wide-table"
            pagination={{ current: page, pageSize: 20, total: users.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
            columns={[
              { title: t("common.id"), dataIndex: "id", width: 70 },
              { title: t("auth.username"), dataIndex: "username", render: (_: string, r) => name(r) },
              { title: t("auth.email"), dataIndex: "email", render: (v: string) => <UserData>{v}</UserData> },
              { title: t("profile.role"), dataIndex: "role", width: 100, render: roleTag },
              { title: t("admin.tasks"), key: "tasks", width: 120, render: (_, r) => taskCount(r) },
              { title: t("profile.lastLogin"), dataIndex: "last_login", width: 170, render: (v: string | null) => when(v) },
              { title: t("profile.created"), dataIndex: "created_at", width: 170, render: (v: string) => when(v) },
              { title: t("admin.active"), dataIndex: "is_active", width: 80, render: (_: boolean, r) => switchOf(r) },
            ]}
          />
        )}
      </Card>
    </>
  );
}
