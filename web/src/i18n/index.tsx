/**
 * Language state (zh-CN first, English switch), the `t()` lookup, and the matching antd/dayjs locales.
 * Each language is its own chunk, loaded for the one in use (a phone on a slow line fetches one
 * catalogue, not both): `loadLang` before the first render, and again before a switch shows the other.
 */
import type { Locale } from "antd/es/locale";
import dayjs from "dayjs";
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import type { MessageKey } from "./zh";

export type Lang = "zh" | "en";
export type { MessageKey };
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

const LANG_KEY = "cx.lang";

interface Bundle {
  dict: Record<MessageKey, string>;
  antd: Locale;
}

const LOADERS: Record<Lang, () => Promise<Bundle>> = {
  zh: async () => {
    const [{ zh }, antd] = await Promise.all([import("./zh"), import("antd/locale/zh_CN"), import("dayjs/locale/zh-cn")]);
    return { dict: zh, antd: antd.default };
  },
  en: async () => {
    const [{ en }, antd] = await Promise.all([import("./en"), import("antd/locale/en_US")]);
    return { dict: en, antd: antd.default };
  },
};
const bundles: Partial<Record<Lang, Bundle>> = {};

/** Fetches a language's words and locales once (a second call is the loaded module). */
export async function loadLang(lang: Lang): Promise<void> {
  bundles[lang] ??= await LOADERS[lang]();
}

export function initialLang(): Lang {
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
  /** antd's own words (date pickers, pagination) in the same language. */
  antdLocale: Locale;
}

const Ctx = createContext<I18n | null>(null);

/** `initial` must have been loaded (`loadLang`) before the first render. */
export function I18nProvider({ initial, children }: { initial: Lang; children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => {
    apply(initial);
    return initial;
  });
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem(LANG_KEY, l);
    // The other language's chunk first: the page switches once its words are here.
    void loadLang(l).then(() => {
      apply(l);
      setLangState(l);
    });
  }, []);
  const bundle = bundles[lang]!;
  const t = useCallback<Translate>(
    (key, vars) => {
      const s = bundle.dict[key];
      return vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : s;
    },
    [bundle],
  );
  const value = useMemo(() => ({ lang, setLang, t, antdLocale: bundle.antd }), [lang, setLang, t, bundle]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error("useI18n outside I18nProvider");
  return v;
}
