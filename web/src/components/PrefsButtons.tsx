import { MoonOutlined, SunOutlined } from "@ant-design/icons";
import { Button, Tooltip } from "antd";
import { api, tokenStore } from "../api/client";
import type { Language } from "../api/queries";
import { useI18n, type Lang } from "../i18n";
import { useThemeMode } from "../theme";

const SERVER_LANG: Record<Lang, Language> = { zh: "zh-CN", en: "en" };

/**
 * Tells the server the user's language, for mails and notifications. Best effort: offline or refused,
 * the switch still works here.
 */
function saveLanguage(lang: Lang) {
  if (!tokenStore.get()) return;
  void api.PUT("/api/user/config", { body: { language: SERVER_LANG[lang] } }).catch(() => undefined);
}

/** Language and theme switches, on every page (signed in or not). */
export function PrefsButtons() {
  const { lang, setLang, t } = useI18n();
  const { mode, toggle } = useThemeMode();
  const next: Lang = lang === "zh" ? "en" : "zh";
  return (
    <>
      <Tooltip title={t("nav.lang")}>
        {/* Each language's name in itself; lang marks it for screen readers and the e2e language check. */}
        <Button
          type="text"
          onClick={() => {
            setLang(next);
            saveLanguage(next);
          }}
          data-testid="lang"
          lang={next === "zh" ? "zh-CN" : "en"}
        >
          {next === "zh" ? "中文" : "EN"}
        </Button>
      </Tooltip>
      <Tooltip title={t("nav.theme")}>
        <Button type="text" icon={mode === "dark" ? <SunOutlined /> : <MoonOutlined />} onClick={toggle} aria-label={t("nav.theme")} />
      </Tooltip>
    </>
  );
}
