import { QrcodeOutlined, ReloadOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Space, Typography } from "antd";
import { useEffect, useState } from "react";
import { api, unwrap, type Res } from "../api/client";
import { useErrorText } from "../api/errors";
import { dropEarly } from "../api/early";
import { keys } from "../api/queries";
import { useI18n } from "../i18n";

type Started = Res<"/api/user/config/qr", "post">;
type Status = Res<"/api/user/config/qr", "get">;

/** About how often the platform's own login page polls a code (chaoxing-protocol.md 2026-12 item 13). */
const POLL_MS = 1500;

/**
 * Binding the Chaoxing account by a scan in the 学习通 app: the platform's code shown large (most
 * students are on a phone, so it also says how to scan from another device or the album), polled until
 * it is scanned ("已扫码：<nickname>"), confirmed (bound), expired or cancelled. No password is typed.
 */
export function QrBind({ autoStart = false }: { autoStart?: boolean }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const qc = useQueryClient();
  const [code, setCode] = useState<Started | null>(null);
  const [done, setDone] = useState<Status | null>(null);

  const start = useMutation({
    mutationFn: () => unwrap(api.POST("/api/user/config/qr")),
    onMutate: () => setDone(null),
    onSuccess: (c) => setCode(c),
  });

  const poll = useQuery({
    queryKey: ["qr-login", code?.image],
    queryFn: () => unwrap(api.GET("/api/user/config/qr")),
    enabled: code !== null && done === null,
    refetchInterval: POLL_MS,
    gcTime: 0,
  });

  useEffect(() => {
    const s = poll.data?.status;
    if (!s || s === "not_scanned" || s === "scanned") return;
    setDone(poll.data!);
    setCode(null);
    if (s === "logged_in") {
      // The config the page loaded with (perhaps read early, api/early.ts) is from before the binding.
      dropEarly();
      void qc.invalidateQueries({ queryKey: keys.config });
      void qc.invalidateQueries({ queryKey: keys.courses });
      void qc.invalidateQueries({ queryKey: keys.tasks });
      void qc.invalidateQueries({ queryKey: keys.profile });
    }
  }, [poll.data, qc]);

  // Opened from a link that asks for a scan (a notification, the quick start): the code at once.
  const [autoStarted, setAutoStarted] = useState(false);
  useEffect(() => {
    if (autoStart && !autoStarted) {
      setAutoStarted(true);
      start.mutate();
    }
  }, [autoStart, autoStarted, start]);

  const status = code ? (poll.data?.status ?? "not_scanned") : null;
  const minutes = code ? Math.max(1, Math.round((Date.parse(code.expires_at) - Date.now()) / 60_000)) : 0;

  return (
    <div data-testid="qr-bind">
      <Typography.Paragraph style={{ marginBottom: 12 }}>{t("qr.intro")}</Typography.Paragraph>
      {code && (
        <div style={{ textAlign: "center", marginBottom: 12 }}>
          <img
            src={code.image}
            alt={t("qr.alt")}
            data-testid="qr-image"
            // Large on a phone: most of the screen's width, so another phone's camera reads it at a distance.
            style={{ width: "min(80vw, 320px)", height: "auto", imageRendering: "pixelated", border: "8px solid #fff", boxShadow: "0 0 0 1px #d9d9d9" }}
          />
          <div role="status" aria-live="polite" data-testid="qr-status" style={{ marginTop: 8, fontWeight: 500 }}>
            {status === "scanned" ? t("qr.scanned", { name: poll.data?.nickname ?? "" }) : t("qr.waiting")}
          </div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t("qr.expiresIn", { min: minutes })}
          </Typography.Text>
          <Typography.Paragraph style={{ textAlign: "start", marginTop: 12, marginBottom: 4 }}>{t("qr.howTo")}</Typography.Paragraph>
          <Typography.Paragraph type="secondary" style={{ textAlign: "start", fontSize: 13, marginBottom: 0 }}>
            {t("qr.howToPhone")}
          </Typography.Paragraph>
        </div>
      )}
      {done?.status === "logged_in" && (
        <Alert type="success" showIcon role="status" style={{ marginBottom: 12 }} title={t("qr.bound", { phone: done.cx_username ?? "" })} data-testid="qr-bound" />
      )}
      {(done?.status === "expired" || done?.status === "cancelled") && (
        <Alert type="warning" showIcon role="status" style={{ marginBottom: 12 }} title={t(done.status === "expired" ? "qr.expired" : "qr.cancelled")} />
      )}
      {(start.error || poll.error) && <Alert type="error" showIcon style={{ marginBottom: 12 }} title={errorText(start.error ?? poll.error)} />}
      <Space wrap>
        <Button
          type={code ? "default" : "primary"}
          icon={code || done ? <ReloadOutlined /> : <QrcodeOutlined />}
          onClick={() => start.mutate()}
          loading={start.isPending}
          data-testid="qr-start"
        >
          {code || done ? t("qr.again") : t("qr.start")}
        </Button>
      </Space>
    </div>
  );
}
