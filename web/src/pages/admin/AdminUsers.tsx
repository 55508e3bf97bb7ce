import { SearchOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Card, Flex, Input, Select, Switch, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { keys, type AdminUserRow } from "../../api/queries";
import { usePageTitle } from "../../components/usePageTitle";
import { useI18n } from "../../i18n";
import { when } from "../../lib/format";

export default function AdminUsers() {
  const { t } = useI18n();
  usePageTitle(t("nav.adminUsers"));
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState("");
  const [role, setRole] = useState<"user" | "admin" | undefined>();
  const [active, setActive] = useState<boolean | undefined>();
  const users = useQuery({
    queryKey: [...keys.admin, "users", page, search, role ?? "", String(active)],
    queryFn: () => unwrap(api.GET("/api/admin/users", { params: { query: { page, page_size: 20, search: search || undefined, role, is_active: active === undefined ? undefined : active ? "true" : "false" } } })),
    placeholderData: (prev) => prev,
  });
  const toggle = useMutation({
    mutationFn: (v: { id: number; is_active: boolean }) => unwrap(api.PUT("/api/admin/users/{id}", { params: { path: { id: v.id } }, body: { is_active: v.is_active } })),
    onSuccess: () => {
      message.success(t("admin.saved"));
      void qc.invalidateQueries({ queryKey: keys.admin });
    },
    onError: (e) => message.error(e.message),
  });
  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.adminUsers")}</Typography.Title>
      </div>
      <Card>
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
        <Table<AdminUserRow>
          rowKey="id"
          loading={users.isPending}
          dataSource={users.data?.items ?? []}
          scroll={{ x: 800 }}
          pagination={{ current: page, pageSize: 20, total: users.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
          columns={[
            { title: "ID", dataIndex: "id", width: 70 },
            { title: t("auth.username"), dataIndex: "username", render: (v: string, r) => <Link to={`/admin/users/${r.id}`}>{v}</Link> },
            { title: t("auth.email"), dataIndex: "email" },
            { title: t("profile.role"), dataIndex: "role", width: 100, render: (v: AdminUserRow["role"]) => <Tag color={v === "admin" ? "purple" : undefined}>{t(`role.${v}`)}</Tag> },
            { title: t("admin.tasks"), key: "tasks", width: 110, render: (_, r) => `${r.task_counts.total}${r.task_counts.running ? ` (${t("status.running")} ${r.task_counts.running})` : ""}` },
            { title: t("profile.created"), dataIndex: "created_at", width: 170, render: (v: string) => when(v) },
            {
              title: t("admin.active"),
              dataIndex: "is_active",
              width: 90,
              render: (v: boolean, r) => (
                <Switch
                  checked={v}
                  aria-label={`${t("admin.active")} ${r.username}`}
                  loading={toggle.isPending && toggle.variables?.id === r.id}
                  onChange={(on) => toggle.mutate({ id: r.id, is_active: on })}
                />
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}
