/**
 * The relay page (issue 14): where the user's Chaoxing traffic leaves from, pairing a new relay agent
 * (the code and the exact command to copy), and the list of relays with revoke.
 */
import { CheckOutlined, DeleteOutlined, DownloadOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Badge, Button, Card, Empty, Flex, List, Popconfirm, Radio, Skeleton, Space, Steps, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { api, unwrap, type Res } from "../api/client";
import { useErrorText } from "../api/errors";
import { keys, useRelays, type RelayOverview } from "../api/queries";
import { usePageTitle } from "../components/usePageTitle";
import { useI18n } from "../i18n";
import { when } from "../lib/format";

type PairingCode = Res<"/api/relays/pairing-code", "post">;

const cardTitle = (text: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;

export default function Relay() {
  const { t } = useI18n();
  usePageTitle(t("nav.relay"));
  const relays = useRelays();
  if (relays.isPending) return <Skeleton active paragraph={{ rows: 8 }} />;
  if (relays.error) return <Alert type="error" title={relays.error.message} />;
  const o = relays.data;
  const anyOnline = o.relays.some((r) => r.online && r.confirmed);
  return (
    <>
      <div className="page-head">
        <Typography.Title level={1}>{t("nav.relay")}</Typography.Title>
      </div>
      <div style={{ maxWidth: 760 }}>
        <Typography.Paragraph type="secondary">{t("relay.why")}</Typography.Paragraph>
        {o.egress === "relay" && !anyOnline && <Alert type="warning" showIcon title={t("relay.noneOnline")} style={{ marginBottom: 16 }} data-testid="relay-none-online" />}
        <EgressCard overview={o} />
        <PairCard overview={o} />
        <RelayList overview={o} />
      </div>
    </>
  );
}

function EgressCard({ overview }: { overview: RelayOverview }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const save = useMutation({
    mutationFn: (egress: "relay" | "direct") => unwrap(api.PUT("/api/relays/egress", { body: { egress } })),
    onSuccess: () => {
      message.success(t("relay.saved"));
      void qc.invalidateQueries({ queryKey: keys.relays });
    },
    onError: (e) => message.error(e.message),
  });
  return (
    <Card title={cardTitle(t("relay.egress"))} style={{ marginBottom: 16 }}>
      <Radio.Group value={overview.egress} onChange={(e) => save.mutate(e.target.value)} disabled={save.isPending} aria-label={t("relay.egress")}>
        <Space orientation="vertical">
          <Radio value="relay" data-testid="egress-relay">
            <strong>{t("relay.egressRelay")}</strong>
            <Typography.Text type="secondary"> — {t("relay.egressRelayD")}</Typography.Text>
          </Radio>
          <Radio value="direct" disabled={!overview.direct_allowed} data-testid="egress-direct">
            <strong>{t("relay.egressDirect")}</strong>
            <Typography.Text type="secondary"> — {overview.direct_allowed ? t("relay.egressDirectD") : t("relay.egressDirectOff")}</Typography.Text>
          </Radio>
        </Space>
      </Radio.Group>
    </Card>
  );
}

/** Seconds left until `iso`, ticking once a second. */
function useCountdown(iso: string | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!iso) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [iso]);
  return iso ? Math.max(0, Math.round((Date.parse(iso) - now) / 1000)) : 0;
}

function PairCard({ overview }: { overview: RelayOverview }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const [code, setCode] = useState<PairingCode | null>(null);
  const left = useCountdown(code?.expires_at ?? null);
  const create = useMutation({
    mutationFn: () => unwrap(api.POST("/api/relays/pairing-code")),
    onSuccess: setCode,
    onError: (e) => message.error(errorText(e)),
  });
  const expired = code !== null && left === 0;
  return (
    <Card title={cardTitle(t("relay.pairTitle"))} style={{ marginBottom: 16 }}>
      <Steps
        orientation="vertical"
        size="small"
        current={-1}
        items={[
          {
            title: t("relay.step1"),
            description: (
              <>
                {t("relay.step1d")}{" "}
                <Typography.Link href="https://nodejs.org/" target="_blank" rel="noreferrer" underline>
                  nodejs.org
                </Typography.Link>
              </>
            ),
          },
          {
            title: t("relay.step2"),
            description: (
              <>
                <div>{t("relay.step2d")}</div>
                <Button icon={<DownloadOutlined />} href={overview.download_url} download style={{ marginTop: 8 }}>
                  {t("relay.download")}
                </Button>
              </>
            ),
          },
          {
            title: t("relay.step3"),
            description: (
              <>
                <div>{t("relay.step3d")}</div>
                <Button type="primary" icon={<PlusOutlined />} onClick={() => create.mutate()} loading={create.isPending} style={{ marginTop: 8 }} data-testid="new-pairing-code">
                  {t("relay.newCode")}
                </Button>
                {code && (
                  <div style={{ marginTop: 12 }} data-testid="pairing">
                    <Typography.Text type="secondary">{t("relay.code")}</Typography.Text>
                    <div className="mono" style={{ fontSize: 28, fontWeight: 600, letterSpacing: 2 }} data-testid="pairing-code">
                      {code.code}
                    </div>
                    <Typography.Text type={expired ? "danger" : "secondary"}>
                      {expired ? t("relay.expired") : t("relay.expiresIn", { m: Math.floor(left / 60), s: String(left % 60).padStart(2, "0") })}
                    </Typography.Text>
                    <Typography.Paragraph type="secondary" style={{ margin: "8px 0 4px" }}>
                      {t("relay.command")}
                    </Typography.Paragraph>
                    <Typography.Paragraph copyable={{ text: code.command }} className="mono" style={{ wordBreak: "break-all" }} data-testid="pairing-command">
                      <code>{code.command}</code>
                    </Typography.Paragraph>
                  </div>
                )}
              </>
            ),
          },
        ]}
      />
      <Typography.Paragraph type="secondary" style={{ margin: "8px 0 4px" }}>
        {t("relay.later")}
      </Typography.Paragraph>
      <Typography.Paragraph copyable={{ text: overview.run_command }} className="mono" style={{ wordBreak: "break-all", marginBottom: 0 }}>
        <code>{overview.run_command}</code>
      </Typography.Paragraph>
    </Card>
  );
}

function RelayList({ overview }: { overview: RelayOverview }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE("/api/relays/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      message.success(t("relay.revoked"));
      void qc.invalidateQueries({ queryKey: keys.relays });
    },
    onError: (e) => message.error(e.message),
  });
  const confirm = useMutation({
    mutationFn: (id: number) => unwrap(api.POST("/api/relays/{id}/confirm", { params: { path: { id } } })),
    onSuccess: () => {
      message.success(t("relay.confirmed"));
      void qc.invalidateQueries({ queryKey: keys.relays });
    },
    onError: (e) => message.error(e.message),
  });
  return (
    <Card title={cardTitle(t("relay.mine"))} style={{ marginBottom: 16 }}>
      <List
        dataSource={overview.relays}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("relay.none")} /> }}
        renderItem={(r) => (
          <List.Item
            key={r.id}
            data-testid="relay-row"
            data-online={r.online ? "yes" : "no"}
            data-confirmed={r.confirmed ? "yes" : "no"}
            actions={[
              ...(r.confirmed
                ? []
                : [
                    <Button key="confirm" type="primary" size="small" icon={<CheckOutlined />} onClick={() => confirm.mutate(r.id)} loading={confirm.isPending && confirm.variables === r.id} data-testid="relay-confirm">
                      {t("relay.confirm")}
                    </Button>,
                  ]),
              <Popconfirm key="revoke" title={t("relay.confirmRevoke", { name: r.name })} okText={t("action.ok")} cancelText={t("action.no")} onConfirm={() => revoke.mutate(r.id)}>
                <Button danger size="small" icon={<DeleteOutlined />} loading={revoke.isPending && revoke.variables === r.id}>
                  {t("relay.revoke")}
                </Button>
              </Popconfirm>,
            ]}
          >
            <List.Item.Meta
              title={
                <Flex gap={8} align="center" wrap>
                  <span>{r.name}</span>
                  <Typography.Text type="secondary">#{r.id}</Typography.Text>
                  <Badge status={r.online ? "success" : "default"} text={r.online ? t("relay.online") : t("relay.offline")} />
                  {!r.confirmed && <Tag color="warning">{t("relay.unconfirmed")}</Tag>}
                </Flex>
              }
              description={
                <>
                  {!r.confirmed && (
                    <Typography.Paragraph type="warning" style={{ marginBottom: 4 }}>
                      {t("relay.confirmHelp", { id: r.id })}
                    </Typography.Paragraph>
                  )}
                  <Flex gap={16} wrap>
                    <span>
                      {t("relay.lastSeen")}: {r.online ? t("relay.online") : when(r.last_seen_at)}
                    </span>
                    <span>
                      {t("relay.version")}: {r.version ?? "—"}
                    </span>
                    <span>
                      {t("relay.today")}: {r.requests_today}
                    </span>
                  </Flex>
                </>
              }
            />
          </List.Item>
        )}
      />
    </Card>
  );
}
