import { Typography } from "antd";
import { useState } from "react";
import { useI18n } from "../i18n";

/**
 * A sentence only the server has, in Chinese and without a code to translate it from (a task's
 * `error_msg`, Chaoxing's reason for a refused login, a statistics warning). In zh-CN it is shown; in
 * English the page says what it can in English and keeps the original one click away.
 */
export function ServerText({ text }: { text: string | null | undefined }) {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState(false);
  if (!text) return null;
  if (lang === "zh") return <>{text}</>;
  return open ? (
    <span lang="zh-CN" data-server-text="">
      {text}
    </span>
  ) : (
    <Typography.Link onClick={() => setOpen(true)} data-testid="server-text">
      {t("app.showOriginal")}
    </Typography.Link>
  );
}
