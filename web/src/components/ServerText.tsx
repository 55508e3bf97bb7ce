import { isTextCode, renderText, textParts, type TextParams } from "@shared/texts";
import { Typography } from "antd";
import { useState } from "react";
import { useI18n, type Lang } from "../i18n";
import { UserData } from "./UserData";

/**
 * A sentence only the server has, in Chinese and without a code to translate it from (Chaoxing's reason
 * for a refused login, a line or an item written before the server coded its sentences). In zh-CN it is
 * shown; in English the page says what it can in English and keeps the original one click away.
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

interface Coded {
  code?: string | null;
  params?: TextParams | null;
}

/** A coded server sentence (src/shared/texts.ts) as plain text in `lang`; null without a code this build knows. */
export function codedText({ code, params }: Coded, lang: Lang): string | null {
  return isTextCode(code) ? renderText(lang, code, params ?? {}) : null;
}

/**
 * A coded server sentence in the reader's language, names marked as the user's own words; without a code
 * this build knows, the server's Chinese `text` as ServerText shows it.
 */
export function CodedText({ code, params, text }: Coded & { text: string | null | undefined }) {
  const { lang } = useI18n();
  if (!isTextCode(code)) return <ServerText text={text} />;
  return (
    <>
      {textParts(lang, code, params ?? {}).map((p, i) => (p.user ? <UserData key={i}>{p.text}</UserData> : p.text))}
    </>
  );
}
