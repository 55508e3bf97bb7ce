import { Badge, Button, Tooltip } from "antd";
import { useEffect, useState } from "react";
import { useI18n } from "../i18n";
import { live, useLiveState } from "../live/sync";

/** The live connection's state, always visible in the header; click to retry at once when down. */
export function ConnectionBadge() {
  const { t } = useI18n();
  const state = useLiveState();
  const [, tick] = useState(0);
  useEffect(() => {
    if (state.kind !== "reconnecting") return;
    const id = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(id);
  }, [state.kind]);

  const secs = state.kind === "reconnecting" ? Math.max(0, Math.ceil((state.at - Date.now()) / 1000)) : 0;
  const [status, text] =
    state.kind === "open"
      ? (["success", t("live.open")] as const)
      : state.kind === "connecting"
        ? (["processing", t("live.connecting")] as const)
        : state.kind === "reconnecting"
          ? (["error", t("live.reconnecting", { s: secs })] as const)
          : state.kind === "offline"
            ? (["error", t("live.offline")] as const)
            : (["default", t("live.idle")] as const);
  return (
    <Tooltip title={state.kind === "reconnecting" ? t("live.reconnectNow") : text}>
      <Button type="text" size="small" onClick={() => live.reconnectNow()} aria-label={text} data-live={state.kind}>
        <Badge status={status} text={<span className="hide-sm">{text}</span>} />
      </Button>
    </Tooltip>
  );
}
