import { ArrowLeftOutlined, DeleteOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Descriptions, Flex, Form, Input, Popconfirm, Row, Select, Skeleton, Table, Typography } from "antd";
import { useEffect } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, unwrap, type Body, type Res } from "../../api/client";
import { applyFieldErrors, useErrorText } from "../../api/errors";
import { keys, useMe } from "../../api/queries";
import { useConfirmDeactivate } from "../../components/ActiveSwitch";
import { CardList, ListCard, useIsPhone } from "../../components/CardList";
import { StatusTag } from "../../components/StatusTag";
import { TapSwitch } from "../../components/TapSwitch";
import { usePageTitle } from "../../components/usePageTitle";
import { UserData } from "../../components/UserData";
import { useI18n } from "../../i18n";
import { pct, when } from "../../lib/format";

type Edit = Required<Body<"/api/admin/users/{id}", "put">>;
type RecentTask = Res<"/api/admin/users/{id}", "get">["recent_tasks"][number];

export default function AdminUserDetail() {
  const { t } = useI18n();
  const id = Number(useParams().id);
  const { message } = App.useApp();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const phone = useIsPhone();
  const me = useMe();
  const confirmDeactivate = useConfirmDeactivate();
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
    onError: (e) => applyFieldErrors(form, e, t) || message.error(errorText(e)),
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/admin/users/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      message.success(t("done.deleteUser"));
      void qc.invalidateQueries({ queryKey: keys.admin });
      navigate("/admin/users");
    },
    onError: (e) => message.error(errorText(e)),
  });

  if (detail.isPending) return <Skeleton active />;
  if (detail.error) return <Alert type="error" showIcon title={errorText(detail.error)} />;
  const { config, statistics, recent_tasks, ...user } = detail.data;
  const live = statistics.tasks.pending + statistics.tasks.running + statistics.tasks.paused;
  // Deactivating is confirmed like the list's switch: it signs the user out and cancels their live tasks.
  const submit = (v: Edit) => (user.is_active && !v.is_active ? confirmDeactivate({ id: user.id, username: user.username, liveTasks: live }, () => save.mutateAsync(v)) : save.mutate(v));
  const viewer = (r: RecentTask) => (r.user_id === me.data?.id ? "self" : "other");
  const name = (r: RecentTask) => (
    <Link to={`/admin/tasks/${r.id}`} className="tap">
      <UserData>{r.name}</UserData>
    </Link>
  );
  return (
    <>
      <Link to="/admin/users">
        <ArrowLeftOutlined /> {t("nav.adminUsers")}
      </Link>
      <div className="page-head" style={{ marginTop: 8 }}>
        <Typography.Title level={1} style={{ overflowWrap: "anywhere" }}>
          <UserData>{user.username}</UserData>
        </Typography.Title>
        <Popconfirm title={t("admin.confirmDeleteUser", { name: user.username })} okText={t("action.ok")} cancelText={t("action.no")} okButtonProps={{ danger: true }} onConfirm={() => remove.mutate()}>
          <Button danger icon={<DeleteOutlined />} loading={remove.isPending}>
            {t("admin.deleteUser")}
          </Button>
        </Popconfirm>
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.edit")}</h2>}>
            <Form form={form} layout="vertical" onFinish={submit}>
              <Form.Item name="email" label={t("auth.email")} rules={[{ required: true, type: "email" }]}>
                <Input />
              </Form.Item>
              <Form.Item name="role" label={t("profile.role")}>
                <Select options={[{ value: "user", label: t("role.user") }, { value: "admin", label: t("role.admin") }]} />
              </Form.Item>
              <Form.Item name="is_active" label={t("admin.active")} valuePropName="checked">
                <TapSwitch />
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
              <Descriptions.Item label={t("settings.cxUsername")}>{config?.cx_username ? <MaskedPhone userId={user.id} masked={config.cx_username} /> : "—"}</Descriptions.Item>
              <Descriptions.Item label={t("settings.speed")}>{config ? `${config.speed.toFixed(1)}×` : "—"}</Descriptions.Item>
              <Descriptions.Item label={t("settings.notopen")}>{config ? t(`settings.notopen.${config.notopen_action}`) : "—"}</Descriptions.Item>
              <Descriptions.Item label={t("profile.totalTasks")}>{statistics.tasks.total}</Descriptions.Item>
              <Descriptions.Item label={t("admin.liveTasks")}>{live}</Descriptions.Item>
              <Descriptions.Item label={t("status.completed")}>{statistics.tasks.completed}</Descriptions.Item>
              <Descriptions.Item label={t("status.failed")}>{statistics.tasks.failed}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.recentTasks")}</h2>} styles={phone ? { body: { padding: 12 } } : undefined}>
            {phone ? (
              <CardList
                items={recent_tasks}
                rowKey={(r) => r.id}
                render={(r) => (
                  <ListCard title={name(r)} status={<StatusTag task={r} viewer={viewer(r)} />}>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {pct(r.progress)}% · {when(r.created_at)}
                    </Typography.Text>
                  </ListCard>
                )}
              />
            ) : (
              <Table<RecentTask>
                size="small"
                rowKey="id"
                dataSource={recent_tasks}
                pagination={false}
                className="wide-table"
                columns={[
                  { title: t("common.id"), dataIndex: "id", width: 70 },
                  { title: t("tasks.name"), dataIndex: "name", render: (_: string, r) => name(r) },
                  { title: t("tasks.status"), key: "s", render: (_, r) => <StatusTag task={r} viewer={viewer(r)} /> },
                  { title: t("tasks.progress"), dataIndex: "progress", render: (p: number) => `${pct(p)}%` },
                  { title: t("tasks.created"), dataIndex: "created_at", render: (v: string) => when(v) },
                ]}
              />
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}

/** A student's phone number, masked; shown in full only on request, and each request is in the audit log. */
function MaskedPhone({ userId, masked }: { userId: number; masked: string }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const { message } = App.useApp();
  const reveal = useMutation({
    mutationFn: () => unwrap(api.GET("/api/admin/users/{id}/phone", { params: { path: { id: userId } } })),
    onError: (e) => message.error(errorText(e)),
  });
  return (
    <Flex gap={8} align="center" wrap>
      <UserData>{reveal.data?.cx_username ?? masked}</UserData>
      {!reveal.data && (
        <Button size="small" onClick={() => reveal.mutate()} loading={reveal.isPending} data-testid="reveal-phone">
          {t("admin.revealPhone")}
        </Button>
      )}
    </Flex>
  );
}
