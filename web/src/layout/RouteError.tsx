import { Button } from "antd";
import { useRouteError } from "react-router";
import { useI18n } from "../i18n";

const RELOADED = "cx.chunk-reload";

/**
 * A page chunk that fails to load almost always means a new version was deployed while this tab was
 * open (the old hashed files are gone): reload once to get the new build. Anything else is shown.
 */
export function RouteError() {
  const { t } = useI18n();
  const error = useRouteError();
  const message = error instanceof Error ? error.message : String(error);
  const stale = /dynamically imported module|Importing a module script failed/i.test(message);
  if (stale && !sessionStorage.getItem(RELOADED)) {
    sessionStorage.setItem(RELOADED, "1");
    location.reload();
    return null;
  }
  return (
    <div role="alert" style={{ maxWidth: 560, margin: "15vh auto", padding: 24, textAlign: "center" }}>
      <h1 style={{ fontSize: 22 }}>{t("app.error")}</h1>
      <p style={{ wordBreak: "break-word" }}>{message}</p>
      <Button type="primary" onClick={() => location.reload()}>
        {t("app.retry")}
      </Button>
    </div>
  );
}

/** Called once a page has rendered: the next stale chunk may reload again. */
export function clearChunkReload() {
  sessionStorage.removeItem(RELOADED);
}
