import { MoonOutlined, SunOutlined } from "@ant-design/icons";
import { Button, Tooltip } from "antd";
import { useI18n } from "../i18n";
import { useThemeMode } from "../theme";

/** Language and theme switches, on every page (signed in or not). */
export function PrefsButtons() {
  const { lang, setLang, t } = useI18n();
  const { mode, toggle } = useThemeMode();
  return (
    <>
      <Tooltip title={t("nav.lang")}>
        <Button type="text" onClick={() => setLang(lang === "zh" ? "en" : "zh")} data-testid="lang">
          {lang === "zh" ? "EN" : "中文"}
        </Button>
      </Tooltip>
      <Tooltip title={t("nav.theme")}>
        <Button type="text" icon={mode === "dark" ? <SunOutlined /> : <MoonOutlined />} onClick={toggle} aria-label={t("nav.theme")} />
      </Tooltip>
    </>
  );
}
