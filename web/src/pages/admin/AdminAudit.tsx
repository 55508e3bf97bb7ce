import { useQuery } from "@tanstack/react-query";
import { Alert, Card, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router";
import { api, unwrap, type Res } from "../../api/client";
import { keys } from "../../api/queries";
import { usePageTitle } from "../../components/usePageTitle";
import { useI18n } from "../../i18n";
import { when } from "../../lib/format";

type Entry = Res<"/api/admin/audit", "get">["items"][number];

export default function AdminAudit() {
  const { t } = useI18n();
  usePageTitle(t("nav.adminAudit"));
  const [page, setPage] = useState(1);
  const audit = useQuery({
    queryKey: [...keys.admin, "audit", page],
    queryFn: () => unwrap(api.GET("/api/admin/audit", { params: { query: { page, page_size: 20 } } })),
    placeholderData: (prev) => prev,
  });
  const target = (e: Entry) =>
    e.target_type === "user" && e.target_id ? <Link to={`/admin/users/${e.target_id}`}>{`user #${e.target_id}`}</Link> : e.target_id ? `${e.target_type} #${e.target_id}` : e.target_type;
  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.adminAudit")}</Typography.Title>
      </div>
      {audit.error && <Alert type="error" showIcon title={audit.error.message} style={{ marginBottom: 16 }} />}
      <Card>
        <Table<Entry>
          rowKey="id"
          size="small"
          loading={audit.isPending}
          dataSource={audit.data?.items ?? []}
          scroll={{ x: 860 }}
          pagination={{ current: page, pageSize: 20, total: audit.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
          columns={[
            { title: t("admin.auditTime"), dataIndex: "created_at", width: 170, render: (v: string) => when(v) },
            { title: t("admin.auditActor"), dataIndex: "admin_username", width: 120 },
            { title: t("admin.auditAction"), dataIndex: "action", width: 150, render: (a: Entry["action"]) => <Tag color={a.endsWith("delete") || a.endsWith("force_stop") ? "red" : a.endsWith("update") ? "blue" : undefined}>{a}</Tag> },
            { title: t("admin.auditTarget"), key: "target", width: 120, render: (_, e) => target(e) },
            { title: t("admin.auditDetail"), dataIndex: "details", render: (d: Entry["details"]) => <code style={{ fontSize: 12, wordBreak: "break-all" }}>{JSON.stringify(d)}</code> },
          ]}
        />
      </Card>
    </>
  );
}
