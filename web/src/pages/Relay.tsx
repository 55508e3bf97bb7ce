/**
 * The relay page: where the user's Chaoxing traffic leaves from (asked before switching to the relay),
 * adding a relay with one line per system (and a QR code carrying the line for a phone), and the list of
 * relays: online or when last seen, which needs an update (with the line that updates it), revoke.
 */
import { CheckCircleTwoTone, CheckOutlined, DeleteOutlined, DownloadOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Badge, Button, Card, Empty, Flex, List, Popconfirm, Radio, Skeleton, Space, Tabs, Tag, Typography } from "antd";
import { useEffect, useMemo, useState } from "react";
import { renderSVG } from "uqr";
import { api, unwrap, type Res } from "../api/client";
import { useErrorText } from "../api/errors";
import { keys, useRelays, type RelayOverview } from "../api/queries";
import { usePageTitle } from "../components/usePageTitle";
import { useI18n, type MessageKey } from "../i18n";
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
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const save = useMutation({
    mutationFn: (egress: "relay" | "direct") => unwrap(api.PUT("/api/relays/egress", { body: { egress } })),
    onSuccess: () => {
      message.success(t("relay.saved"));
      void qc.invalidateQueries({ queryKey: keys.relays });
    },
    onError: (e) => message.error(e.message),
  });
  const choose = (egress: "relay" | "direct") => {
    if (egress !== "relay") return save.mutate(egress);
    // The relay is a promise the user keeps: asked first, saying what it means with none online now.
    const online = overview.relays.some((r) => r.online);
    modal.confirm({
      title: t("relay.askTitle"),
      content: t(online ? "relay.askBody" : "relay.askBodyNone"),
      okText: t("relay.askOk"),
      cancelText: t("action.no"),
      onOk: () => save.mutate("relay"),
    });
  };
  return (
    <Card title={cardTitle(t("relay.egress"))} style={{ marginBottom: 16 }}>
      <Radio.Group value={overview.egress} onChange={(e) => choose(e.target.value)} disabled={save.isPending} aria-label={t("relay.egress")}>
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

/** Seconds left until `iso`, ticking once a second while `running`. */
function useCountdown(iso: string | null, running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!iso || !running) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [iso, running]);
  return iso ? Math.max(0, Math.round((Date.parse(iso) - now) / 1000)) : 0;
}

/** A QR code of `text` (as an image: the page's CSP allows data: images, not inline SVG scripts). */
function QrImage({ text, label }: { text: string; label: string }) {
  const src = useMemo(() => `data:image/svg+xml;utf8,${encodeURIComponent(renderSVG(text, { ecc: "M", border: 2 }))}`, [text]);
  return <img src={src} alt={label} width={176} height={176} style={{ background: "#fff", borderRadius: 4 }} data-testid="pairing-qr" />;
}

function Copyable({ text, testId }: { text: string; testId?: string }) {
  return (
    <Typography.Paragraph copyable={{ text }} className="mono" style={{ wordBreak: "break-all", margin: "4px 0 8px" }} data-testid={testId}>
      <code>{text}</code>
    </Typography.Paragraph>
  );
}

function Steps({ items }: { items: MessageKey[] }) {
  const { t } = useI18n();
  return (
    <ol style={{ paddingInlineStart: 20, margin: "4px 0 8px" }}>
      {items.map((k) => (
        <li key={k}>{t(k)}</li>
      ))}
    </ol>
  );
}

function PairCard({ overview }: { overview: RelayOverview }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const [code, setCode] = useState<{ value: PairingCode; known: Set<number> } | null>(null);
  // A relay that was not there when the code was made: the code was used by it.
  const pairedWith = code ? overview.relays.find((r) => !code.known.has(r.id)) : undefined;
  const left = useCountdown(code?.value.expires_at ?? null, !pairedWith);
  const create = useMutation({
    mutationFn: () => unwrap(api.POST("/api/relays/pairing-code")),
    onSuccess: (value) => setCode({ value, known: new Set(overview.relays.map((r) => r.id)) }),
    onError: (e) => message.error(errorText(e)),
  });
  const expired = code !== null && !pairedWith && left === 0;
  const c = code?.value;
  const docker = c
    ? [
        `docker build --build-arg DEPLOYMENT=${location.origin} -t chaoxing-relay ${location.origin}/relay/Dockerfile`,
        `docker run --rm -v chaoxing-relay:/data chaoxing-relay --url ${location.origin} --pair ${c.code} --pair-only`,
        `docker run -d --name chaoxing-relay --restart on-failure -v chaoxing-relay:/data chaoxing-relay --url ${location.origin}`,
      ]
    : [];
  return (
    <Card title={cardTitle(t("relay.pairTitle"))} style={{ marginBottom: 16 }}>
      <Typography.Paragraph type="secondary">{t("relay.pairIntro")}</Typography.Paragraph>
      <Button type="primary" icon={<PlusOutlined />} onClick={() => create.mutate()} loading={create.isPending} data-testid="new-pairing-code">
        {t("relay.newCode")}
      </Button>
      {c && (
        <div style={{ marginTop: 12 }} data-testid="pairing">
          <Flex gap={16} wrap align="flex-start">
            <div>
              <Typography.Text type="secondary">{t("relay.code")}</Typography.Text>
              <div className="mono" style={{ fontSize: 28, fontWeight: 600, letterSpacing: 2, textDecoration: pairedWith || expired ? "line-through" : undefined }} data-testid="pairing-code">
                {c.code}
              </div>
              {pairedWith ? (
                <Typography.Text data-testid="pairing-used">
                  <CheckCircleTwoTone twoToneColor="#52c41a" /> {t("relay.used", { name: pairedWith.name })}
                </Typography.Text>
              ) : (
                <Typography.Text type={expired ? "danger" : "secondary"} data-testid="pairing-countdown">
                  {expired ? t("relay.expired") : t("relay.expiresIn", { m: Math.floor(left / 60), s: String(left % 60).padStart(2, "0") })}
                </Typography.Text>
              )}
            </div>
            {!pairedWith && !expired && (
              <div style={{ textAlign: "center" }}>
                <QrImage text={c.install_commands.sh} label={t("relay.qrLabel")} />
                <div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t("relay.qrHint")}
                  </Typography.Text>
                </div>
              </div>
            )}
          </Flex>
          {!pairedWith && !expired && (
            <Tabs
              style={{ marginTop: 8 }}
              items={[
                {
                  key: "android",
                  label: t("relay.tabAndroid"),
                  children: (
                    <>
                      <Steps items={["relay.android1", "relay.android2"]} />
                      <Copyable text={c.install_commands.sh} testId="pairing-command" />
                      <Alert type="info" showIcon title={t("relay.androidBattery")} />
                    </>
                  ),
                },
                {
                  key: "unix",
                  label: t("relay.tabUnix"),
                  children: (
                    <>
                      <Steps items={["relay.unix1"]} />
                      <Copyable text={c.install_commands.sh} />
                      <Typography.Text type="secondary">{t("relay.unix2")}</Typography.Text>
                    </>
                  ),
                },
                {
                  key: "windows",
                  label: t("relay.tabWindows"),
                  children: (
                    <>
                      <Steps items={["relay.windows1"]} />
                      <Copyable text={c.install_commands.powershell} />
                    </>
                  ),
                },
                {
                  key: "docker",
                  label: "Docker",
                  children: (
                    <>
                      <Typography.Paragraph type="secondary" style={{ marginBottom: 4 }}>
                        {t("relay.dockerD")}
                      </Typography.Paragraph>
                      {docker.map((line) => (
                        <Copyable key={line} text={line} />
                      ))}
                    </>
                  ),
                },
                {
                  key: "manual",
                  label: t("relay.tabManual"),
                  children: (
                    <>
                      <Typography.Paragraph type="secondary" style={{ marginBottom: 4 }}>
                        {t("relay.manualD")}
                      </Typography.Paragraph>
                      <Button icon={<DownloadOutlined />} href={overview.download_url} download style={{ marginBottom: 8 }}>
                        {t("relay.download")}
                      </Button>
                      <Copyable text={c.command} testId="pairing-manual-command" />
                    </>
                  ),
                },
              ]}
            />
          )}
        </div>
      )}
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
                  {r.needs_update && (
                    <Tag color="warning" data-testid="relay-needs-update">
                      {t("relay.needsUpdate")}
                    </Tag>
                  )}
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
                    <span>{r.online ? `${t("relay.connectedSince")}: ${when(r.connected_at)}` : `${t("relay.lastSeen")}: ${when(r.last_seen_at)}`}</span>
                    <span>
                      {t("relay.version")}: {r.version ?? "—"}
                    </span>
                    <span>
                      {t("relay.today")}: {r.requests_today}
                    </span>
                  </Flex>
                  {r.needs_update && (
                    <div style={{ marginTop: 8 }}>
                      <Typography.Text>{t("relay.updateHow")}</Typography.Text>
                      <Copyable text={overview.install_commands.sh} />
                      <Copyable text={overview.install_commands.powershell} />
                    </div>
                  )}
                </>
              }
            />
          </List.Item>
        )}
      />
      <Typography.Paragraph type="secondary" style={{ margin: "8px 0 4px" }}>
        {t("relay.later")}
      </Typography.Paragraph>
      <Copyable text={overview.run_command} />
    </Card>
  );
}
