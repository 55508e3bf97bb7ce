import { ArrowLeftOutlined, DeleteOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Descriptions, Form, Input, Popconfirm, Row, Select, Skeleton, Switch, Table, Typography } from "antd";
import { useEffect } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, unwrap, type Body } from "../../api/client";
import { keys } from "../../api/queries";
import { applyFieldErrors } from "../../components/formErrors";
import { StatusTag } from "../../components/StatusTag";
import { usePageTitle } from "../../components/usePageTitle";
import { useI18n } from "../../i18n";
import { when } from "../../lib/format";

type Edit = Required<Body<"/api/admin/users/{id}", "put">>;

export default function AdminUserDetail() {
  const { t } = useI18n();
  const id = Number(useParams().id);
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [form] = Form.useForm<Edit>();
  const detail = useQuery({ queryKey: [...keys.admin, "user", id], queryFn: () => unwrap(api.GET("/api/admin/users/{id}", { params: { path: { id } } })) });
  usePageTitle(detail.data ? `${detail.data.username} · ${t("nav.adminUsers")}` : t("nav.adminUsers"));
  useEffect(() => {
    if (detail.data) form.setFieldsValue({ email: detail.data.email, role: detail.data.role, is_active: detail.data.is_active });
  }, [detail.data, form]);
  const save = useMutation({
    mutationFn: (body: Edit) => unwrap(api.PUT("/api/admin/users/{id}", { params: { path: { id } }, body })),
    onSuccess: () => {
      message.success(t("admin.saved"));
      void qc.invalidateQueries({ queryKey: keys.admin });
    },
    onError: (e) => applyFieldErrors(form, e) || message.error(e.message),
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/admin/users/{id}", { params: { path: { id } } })),
    onSuccess: (r) => {
      message.success(r.message);
      void qc.invalidateQueries({ queryKey: keys.admin });
      navigate("/admin/users");
    },
    onError: (e) => message.error(e.message),
  });

  if (detail.isPending) return <Skeleton active />;
  if (detail.error) return <Alert type="error" showIcon title={detail.error.message} />;
  const { config, statistics, recent_tasks, ...user } = detail.data;
  return (
    <>
      <Link to="/admin/users">
        <ArrowLeftOutlined /> {t("nav.adminUsers")}
      </Link>
      <div className="page-head" style={{ marginTop: 8 }}>
        <Typography.Title level={1}>{user.username}</Typography.Title>
        <Popconfirm title={t("admin.confirmDeleteUser", { name: user.username })} okText={t("action.ok")} cancelText={t("action.no")} okButtonProps={{ danger: true }} onConfirm={() => remove.mutate()}>
          <Button danger icon={<DeleteOutlined />} loading={remove.isPending}>
            {t("admin.deleteUser")}
          </Button>
        </Popconfirm>
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.edit")}</h2>}>
            <Form form={form} layout="vertical" onFinish={save.mutate}>
              <Form.Item name="email" label={t("auth.email")} rules={[{ required: true, type: "email" }]}>
                <Input />
              </Form.Item>
              <Form.Item name="role" label={t("profile.role")}>
                <Select options={[{ value: "user", label: t("role.user") }, { value: "admin", label: t("role.admin") }]} />
              </Form.Item>
              <Form.Item name="is_active" label={t("admin.active")} valuePropName="checked">
                <Switch />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={save.isPending}>
                {t("settings.save")}
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.detail")}</h2>}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t("profile.created")}>{when(user.created_at)}</Descriptions.Item>
              <Descriptions.Item label={t("profile.lastLogin")}>{when(user.last_login)}</Descriptions.Item>
              <Descriptions.Item label={t("settings.cxUsername")}>{config?.cx_username ?? "—"}</Descriptions.Item>
              <Descriptions.Item label={t("settings.speed")}>{config ? `${config.speed.toFixed(1)}×` : "—"}</Descriptions.Item>
              <Descriptions.Item label={t("settings.notopen")}>{config ? t(`settings.notopen.${config.notopen_action}`) : "—"}</Descriptions.Item>
              <Descriptions.Item label={t("profile.totalTasks")}>{statistics.tasks.total}</Descriptions.Item>
              <Descriptions.Item label={t("status.completed")}>{statistics.tasks.completed}</Descriptions.Item>
              <Descriptions.Item label={t("status.failed")}>{statistics.tasks.failed}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.recentTasks")}</h2>}>
            <Table
              size="small"
              rowKey="id"
              dataSource={recent_tasks}
              pagination={false}
              scroll={{ x: 600 }}
              columns={[
                { title: "ID", dataIndex: "id", width: 70 },
                { title: t("tasks.name"), dataIndex: "name" },
                { title: t("tasks.status"), key: "s", render: (_, r) => <StatusTag status={r.status} reason={r.reason} /> },
                { title: t("tasks.progress"), dataIndex: "progress", render: (p: number) => `${p}%` },
                { title: t("tasks.created"), dataIndex: "created_at", render: (v: string) => when(v) },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
