/** Language state (zh-CN first, English switch), the `t()` lookup, and the matching antd/dayjs locales. */
import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { en } from "./en";
import { zh, type MessageKey } from "./zh";

export type Lang = "zh" | "en";
export type { MessageKey };
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

const LANG_KEY = "cx.lang";
const dicts: Record<Lang, Record<MessageKey, string>> = { zh, en };

function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === "zh" || saved === "en") return saved;
  return navigator.language.toLowerCase().startsWith("en") ? "en" : "zh";
}

function apply(lang: Lang) {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  dayjs.locale(lang === "zh" ? "zh-cn" : "en");
}

interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: Translate;
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => {
    const l = initialLang();
    apply(l);
    return l;
  });
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem(LANG_KEY, l);
    apply(l);
    setLangState(l);
  }, []);
  const t = useCallback<Translate>(
    (key, vars) => {
      const s = dicts[lang][key];
      return vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : s;
    },
    [lang],
  );
  const value = useMemo(() => ({ lang, setLang, t }), [lang, setLang, t]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error("useI18n outside I18nProvider");
  return v;
}
