import { Alert } from "antd";
import { useEffect, useState } from "react";
import { useI18n } from "../i18n";
import { useOnline } from "../live/online";
import { useLiveState } from "../live/sync";

/** How long the socket may be down before the page says its live figures may be stale (one quick retry is routine). */
const SOCKET_GRACE_MS = 5_000;

/**
 * Says when the page cannot be trusted to be live: the browser is offline (actions fail at once, they
 * are not queued), or signed in and the live socket has been down for a while. `live` is false on the
 * sign-in pages, which have no socket.
 */
export function OfflineBanner({ live = true }: { live?: boolean }) {
  const { t } = useI18n();
  const online = useOnline();
  const state = useLiveState();
  const down = live && online && state.kind === "reconnecting";
  const [late, setLate] = useState(false);
  useEffect(() => {
    setLate(false);
    if (!down) return;
    const id = setTimeout(() => setLate(true), SOCKET_GRACE_MS);
    return () => clearTimeout(id);
  }, [down]);
  if (!online) return <Alert type="error" banner showIcon title={t("offline.title")} description={t("offline.body")} role="alert" data-testid="offline-banner" />;
  if (down && late) return <Alert type="warning" banner showIcon title={t("offline.socket")} role="status" data-testid="socket-banner" />;
  return null;
}
