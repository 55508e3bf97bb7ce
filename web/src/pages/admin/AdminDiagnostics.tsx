import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Flex, Row, Skeleton, Statistic, Table, Tag, Typography } from "antd";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { api, unwrap, type Res } from "../../api/client";
import { useErrorText } from "../../api/errors";
import { keys } from "../../api/queries";
import { CardList, ListCard, useIsPhone } from "../../components/CardList";
import { usePageTitle } from "../../components/usePageTitle";
import { UserData } from "../../components/UserData";
import { useI18n, type MessageKey } from "../../i18n";
import { when } from "../../lib/format";

type Diagnostics = Res<"/api/admin/diagnostics", "get">;
type DeadLetter = Diagnostics["dead_letters"]["items"][number];
type Agent = Diagnostics["relays"]["items"][number];
type ErrorRow = Diagnostics["errors"][number];
type ReasonRow = Diagnostics["engine"]["by_reason"][number];

const SOURCES: Record<ErrorRow["source"], MessageKey> = { api: "diag.source.api", task: "diag.source.task", queue: "diag.source.queue" };
const KINDS: Record<DeadLetter["kind"], MessageKey> = {
  captcha: "notify.event.captcha",
  notopen_ask: "notify.event.notopen_ask",
  risk_control: "notify.event.risk_control",
  relay_offline: "notify.event.relay_offline",
  relay_outdated: "notify.event.relay_outdated",
  completed: "notify.event.completed",
  failed: "notify.event.failed",
  daily_cap: "notify.event.daily_cap",
  rolled_back: "notify.event.rolled_back",
  admin_stop: "notify.event.admin_stop",
  login_required: "notify.event.login_required",
};
const h2 = (text: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;
/** An empty list's sentence, in the secondary text colour (antd's own empty text is below the contrast minimum). */
const quiet = (text: string) => <Typography.Text type="secondary">{text}</Typography.Text>;

/**
 * What an operator looks at when something is off (docs/operations.md "Watching it"): the engine's alarm
 * lateness and its tasks by reason, the notification dead letters (each can be sent again), the relay
 * agents and their versions, and the last errors. One request: GET /api/admin/diagnostics.
 */
export default function AdminDiagnostics() {
  const { t } = useI18n();
  usePageTitle(t("nav.adminDiagnostics"));
  const errorText = useErrorText();
  const phone = useIsPhone();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const diag = useQuery({ queryKey: [...keys.admin, "diagnostics"], queryFn: () => unwrap(api.GET("/api/admin/diagnostics")), refetchInterval: 30_000 });
  const retry = useMutation({
    mutationFn: (id: number) => unwrap(api.POST("/api/admin/diagnostics/dead-letters/{id}/retry", { params: { path: { id } } })),
    onSuccess: () => {
      message.success(t("diag.retried"));
      void qc.invalidateQueries({ queryKey: [...keys.admin, "diagnostics"] });
    },
    onError: (e) => message.error(errorText(e)),
  });
  if (diag.isPending) return <Skeleton active />;
  if (diag.error) return <Alert type="error" showIcon title={errorText(diag.error)} />;
  const d = diag.data;
  const late = d.engine.lateness_ms;
  const ms = (v: number | null) => (v === null ? "—" : `${Math.round(v)} ms`);
  const reasonName = (r: ReasonRow) => (r.reason ? `${t(`status.${r.status}`)} · ${r.reason}` : t(`status.${r.status}`));
  const retryButton = (row: DeadLetter) => (
    <Button size="small" loading={retry.isPending && retry.variables === row.id} onClick={() => retry.mutate(row.id)}>
      {t("diag.retry")}
    </Button>
  );
  const taskLink = (id: number | null) => (id === null ? "—" : <Link to={`/admin/tasks/${id}`}>#{id}</Link>);
  const section = (title: string, body: ReactNode) => (
    <Col xs={24}>
      <Card title={h2(title)}>{body}</Card>
    </Col>
  );

  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.adminDiagnostics")}</Typography.Title>
        <Tag>{t("diag.version", { v: d.version })}</Tag>
      </div>
      <Row gutter={[16, 16]}>
        {[
          { k: t("admin.runningTasks"), v: d.engine.running },
          { k: t("diag.lateP50"), v: ms(late.p50) },
          { k: t("diag.lateP99"), v: ms(late.p99) },
          { k: t("diag.deadLetters"), v: d.dead_letters.total },
        ].map((c) => (
          <Col xs={12} md={6} key={c.k}>
            <Card size="small">
              <Statistic title={c.k} value={c.v} />
            </Card>
          </Col>
        ))}
        <Col xs={24}>
          <Typography.Text type="secondary">{t("diag.lateNote", { sampled: d.engine.sampled, samples: d.engine.samples, max: ms(late.max) })}</Typography.Text>
        </Col>
        {section(
          t("diag.byReason"),
          d.engine.by_reason.length === 0 ? (
            <Typography.Text type="secondary">{t("diag.none")}</Typography.Text>
          ) : (
            <Flex wrap gap={8}>
              {d.engine.by_reason.map((r) => (
                <Tag key={`${r.status}:${r.reason}`} color={r.status === "running" ? "processing" : "warning"}>
                  {reasonName(r)}: {r.count}
                </Tag>
              ))}
            </Flex>
          ),
        )}
        {section(
          t("diag.deadLetters"),
          phone ? (
            <CardList
              items={d.dead_letters.items}
              rowKey={(r) => r.id}
              empty={quiet(t("diag.noDeadLetters"))}
              render={(r) => (
                <ListCard title={t(KINDS[r.kind])} status={<Tag>{r.channel}</Tag>} action={retryButton(r)}>
                  <div>
                    <UserData>{r.username}</UserData> · {taskLink(r.task_id)} · {when(r.updated_at)}
                  </div>
                  <Typography.Text type="secondary">
                    {r.http_status ?? "—"} <UserData>{r.excerpt}</UserData>
                  </Typography.Text>
                </ListCard>
              )}
            />
          ) : (
            <Table<DeadLetter>
              size="small"
              rowKey="id"
              dataSource={d.dead_letters.items}
              pagination={false}
              scroll={{ x: true }}
              locale={{ emptyText: quiet(t("diag.noDeadLetters")) }}
              columns={[
                { title: t("diag.when"), dataIndex: "updated_at", render: (v: string) => when(v), width: 170 },
                { title: t("diag.kind"), dataIndex: "kind", render: (k: DeadLetter["kind"]) => t(KINDS[k]) },
                { title: t("diag.channel"), dataIndex: "channel" },
                { title: t("diag.user"), dataIndex: "username", render: (u: string) => <UserData>{u}</UserData> },
                { title: t("diag.task"), dataIndex: "task_id", render: taskLink },
                {
                  title: t("diag.answer"),
                  render: (_, r) => (
                    <>
                      {r.http_status ?? "—"} <UserData>{r.excerpt}</UserData>
                    </>
                  ),
                },
                { title: "", render: (_, r) => retryButton(r), width: 90 },
              ]}
            />
          ),
        )}
        {section(
          t("diag.relays"),
          <>
            <Flex wrap gap={8} style={{ marginBottom: 12 }}>
              {d.relays.versions.map((v) => (
                <Tag key={v.version ?? "none"}>
                  {v.version ?? t("diag.neverConnected")}: {v.count}
                </Tag>
              ))}
            </Flex>
            {phone ? (
              <CardList
                items={d.relays.items}
                rowKey={(a) => a.id}
                empty={quiet(t("diag.none"))}
                render={(a) => (
                  <ListCard title={<UserData>{a.name}</UserData>} status={<Tag>{a.version ?? t("diag.neverConnected")}</Tag>}>
                    <UserData>{a.username}</UserData> · {t("diag.lastSeen")} {when(a.last_seen_at)}
                  </ListCard>
                )}
              />
            ) : (
              <Table<Agent>
                size="small"
                rowKey="id"
                dataSource={d.relays.items}
                pagination={false}
                scroll={{ x: true }}
                locale={{ emptyText: quiet(t("diag.none")) }}
                columns={[
                  { title: t("diag.user"), dataIndex: "username", render: (u: string) => <UserData>{u}</UserData> },
                  { title: t("diag.agent"), dataIndex: "name", render: (n: string) => <UserData>{n}</UserData> },
                  { title: t("diag.agentVersion"), dataIndex: "version", render: (v: string | null) => v ?? t("diag.neverConnected") },
                  { title: t("diag.lastSeen"), dataIndex: "last_seen_at", render: (v: string | null) => when(v), width: 170 },
                ]}
              />
            )}
          </>,
        )}
        {section(
          t("diag.errors"),
          phone ? (
            <CardList
              items={d.errors}
              rowKey={(e) => e.id}
              empty={quiet(t("diag.noErrors"))}
              render={(e) => (
                <ListCard title={when(e.created_at)} status={<Tag color="error">{t(SOURCES[e.source])}</Tag>}>
                  <div style={{ overflowWrap: "anywhere" }}>
                    <UserData>{e.message}</UserData>
                  </div>
                  {e.ref && <Typography.Text type="secondary">{e.ref}</Typography.Text>}
                </ListCard>
              )}
            />
          ) : (
            <Table<ErrorRow>
              size="small"
              rowKey="id"
              dataSource={d.errors}
              pagination={false}
              scroll={{ x: true }}
              locale={{ emptyText: quiet(t("diag.noErrors")) }}
              columns={[
                { title: t("diag.when"), dataIndex: "created_at", render: (v: string) => when(v), width: 170 },
                { title: t("diag.source"), dataIndex: "source", render: (s: ErrorRow["source"]) => <Tag color="error">{t(SOURCES[s])}</Tag>, width: 110 },
                { title: t("diag.ref"), dataIndex: "ref", render: (r: string | null) => r ?? "—", width: 140 },
                // What the runtime said, as it said it (an upstream's answer may be Chinese on an English page).
                { title: t("diag.message"), dataIndex: "message", render: (m: string) => <span style={{ overflowWrap: "anywhere" }}><UserData>{m}</UserData></span> },
              ]}
            />
          ),
        )}
      </Row>
    </>
  );
}
