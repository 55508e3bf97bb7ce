/**
 * The notifications that went out for one task: each event with why it was or was not sent,
 * and per channel what the provider answered. Refreshed while a delivery is pending, and shortly after
 * a live notice for this task (delivery runs through a queue, a few seconds behind the notice).
 */
import type { NotifyEventStatus } from "@shared/notify";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Card, Empty, Space, Tag, Tooltip, Typography, theme } from "antd";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { api, unwrap, type Res } from "../api/client";
import { keys } from "../api/queries";
import { useI18n } from "../i18n";
import { when } from "../lib/format";
import { live } from "../live/sync";

type Delivery = Res<"/api/tasks/{id}/notifications", "get">[number]["deliveries"][number];

const EVENT_COLOR: Record<NotifyEventStatus, string | undefined> = { accepted: "blue", throttled: undefined, capped: "orange", muted: undefined, no_channel: "orange" };
/** How long after a live notice its event may take to be listed, and the clocks' allowed difference. */
const EXPECT_MS = 60_000;
const EVENT_SKEW_MS = 10_000;
const DELIVERY_COLOR: Record<Delivery["status"], string> = { pending: "processing", sent: "success", failed: "error", dead: "error" };

export default function TaskNotifications({ id }: { id: number }) {
  const { t } = useI18n();
  const { token } = theme.useToken();
  const qc = useQueryClient();
  // Since when a live notice says an event is on its way (the queue records it a few seconds later).
  const [expecting, setExpecting] = useState<number | null>(null);
  const list = useQuery({
    queryKey: keys.taskNotifications(id),
    queryFn: () => unwrap(api.GET("/api/tasks/{id}/notifications", { params: { path: { id } } })),
    refetchInterval: (q) => {
      if (q.state.data?.some((e) => e.deliveries.some((d) => d.status === "pending"))) return 5_000;
      // Asked again every few seconds until the announced event is listed, for at most a minute.
      const newest = q.state.data?.[0] ? Date.parse(q.state.data[0].created_at) : 0;
      return expecting !== null && newest < expecting - EVENT_SKEW_MS && Date.now() - expecting < EXPECT_MS ? 3_000 : false;
    },
  });

  useEffect(
    () =>
      live.onMessage((m) => {
        if (m.type !== "notification" || m.task_id !== id) return;
        setExpecting(Date.now());
        void qc.invalidateQueries({ queryKey: keys.taskNotifications(id) });
      }),
    [id, qc],
  );

  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("notify.history")}</h2>} data-testid="task-notifications">
      {list.error ? (
        <Alert type="error" title={list.error.message} />
      ) : !list.data?.length ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={list.isPending ? undefined : t("notify.historyEmpty")}>
          {!list.isPending && (
            <Link to="/settings" className="tap">
              {t("notify.historySetup")}
            </Link>
          )}
        </Empty>
      ) : (
        <ul style={{ listStyle: "none", margin: 0, padding: 0 }}>
          {list.data.map((e) => (
            <li key={e.id} style={{ padding: "8px 0", borderBottom: `1px solid ${token.colorBorderSecondary}` }}>
              <Space orientation="vertical" size={4} style={{ width: "100%" }}>
                <Space wrap size={8}>
                  <Typography.Text strong>{t(`notify.event.${e.event}`)}</Typography.Text>
                  <Tag color={EVENT_COLOR[e.status]}>{t(`notify.status.${e.status}`)}</Tag>
                  <Typography.Text type="secondary">{when(e.created_at)}</Typography.Text>
                </Space>
                {e.deliveries.length > 0 && (
                  <Space wrap size={[8, 4]}>
                    {e.deliveries.map((d) => (
                      <Tooltip key={d.channel} title={[d.http_status !== null ? `HTTP ${d.http_status}` : null, d.excerpt, t("notify.attempts", { n: d.attempts })].filter(Boolean).join(" · ")}>
                        <Tag color={DELIVERY_COLOR[d.status]} data-testid={`delivery-${d.channel}`} tabIndex={0}>
                          {t(`notify.channel.${d.channel}`)}: {t(`notify.delivery.${d.status}`)}
                        </Tag>
                      </Tooltip>
                    ))}
                  </Space>
                )}
              </Space>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
