import { useEffect } from "react";
import { useI18n } from "../i18n";
import { clearChunkReload } from "../layout/RouteError";

/** Every page names itself in the tab, so open tabs and the history can be told apart. */
export function usePageTitle(title: string) {
  const { t } = useI18n();
  useEffect(() => {
    document.title = `${title} · ${t("app.name")}`;
    clearChunkReload();
  }, [title, t]);
}
