import { Button } from "antd";
import { useEffect } from "react";
import { useRouteError } from "react-router";
import { useI18n } from "../i18n";
import { useOnline } from "../live/online";

const RELOADED = "cx.chunk-reload";

const isChunkError = (message: string) => /dynamically imported module|Importing a module script failed|Failed to fetch/i.test(message);

/**
 * A page chunk that fails to load online almost always means a new version was deployed while this tab
 * was open (the old hashed files are gone): reload once to get the new build. Offline, a reload would
 * only show the browser's own error page: say so here and reload when the network is back.
 */
export function RouteError() {
  const { t } = useI18n();
  const online = useOnline();
  const error = useRouteError();
  const message = error instanceof Error ? error.message : String(error);
  const chunk = isChunkError(message);
  const offline = chunk && !online;
  useEffect(() => {
    if (!chunk || !online) return;
    if (sessionStorage.getItem(RELOADED)) return;
    sessionStorage.setItem(RELOADED, "1");
    location.reload();
  }, [chunk, online]);
  if (chunk && online && !sessionStorage.getItem(RELOADED)) return null;
  return (
    <div role="alert" style={{ maxWidth: 560, margin: "15vh auto", padding: 24, textAlign: "center" }} data-testid="route-error">
      <h1 style={{ fontSize: 22 }}>{offline ? t("offline.title") : t("app.error")}</h1>
      <p style={{ wordBreak: "break-word" }}>{offline ? t("offline.page") : chunk ? t("app.errorChunk") : t("app.errorBody")}</p>
      {!offline && (
        <details style={{ marginBottom: 16 }}>
          <summary>{t("app.errorDetails")}</summary>
          <code style={{ wordBreak: "break-word" }}>{message}</code>
        </details>
      )}
      <Button type="primary" onClick={() => location.reload()} disabled={offline}>
        {t("app.retry")}
      </Button>
    </div>
  );
}

/** Called once a page has rendered: the next stale chunk may reload again. */
export function clearChunkReload() {
  sessionStorage.removeItem(RELOADED);
}
