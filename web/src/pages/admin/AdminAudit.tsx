import { useQuery } from "@tanstack/react-query";
import { Alert, Card, Table, Typography } from "antd";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { keys } from "../../api/queries";
import { usePageTitle } from "../../components/usePageTitle";
import { useI18n } from "../../i18n";
import { when } from "../../lib/format";

export default function AdminAudit() {
  const { t } = useI18n();
  usePageTitle(t("nav.adminAudit"));
  const [page, setPage] = useState(1);
  const audit = useQuery({
    queryKey: [...keys.admin, "audit", page],
    queryFn: () => unwrap(api.GET("/api/admin/audit", { params: { query: { page, page_size: 20 } } })),
    placeholderData: (prev) => prev,
  });
  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.adminAudit")}</Typography.Title>
      </div>
      {audit.error && <Alert type="error" showIcon title={audit.error.message} style={{ marginBottom: 16 }} />}
      <Card>
        <Table
          rowKey="id"
          loading={audit.isPending}
          dataSource={audit.data?.items ?? []}
          scroll={{ x: 760 }}
          pagination={{ current: page, pageSize: 20, total: audit.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
          columns={[
            { title: t("admin.auditTime"), dataIndex: "created_at", width: 170, render: (v: string) => when(v) },
            { title: t("admin.auditActor"), dataIndex: "actor", width: 120 },
            { title: t("admin.auditAction"), dataIndex: "action", width: 160 },
            { title: t("admin.auditTarget"), dataIndex: "target", width: 160 },
            { title: t("admin.auditDetail"), dataIndex: "detail" },
          ]}
        />
      </Card>
    </>
  );
}
