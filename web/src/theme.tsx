/** Light/dark theme: follows the system until the user picks one, then remembers it. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

export type Mode = "light" | "dark";
const KEY = "cx.theme";

const Ctx = createContext<{ mode: Mode; toggle: () => void }>({ mode: "light", toggle: () => undefined });

export function ThemeModeProvider({ children }: { children: ReactNode }) {
  const [mode, setMode] = useState<Mode>(() => {
    const saved = localStorage.getItem(KEY);
    if (saved === "light" || saved === "dark") return saved;
    return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  });
  useEffect(() => {
    document.documentElement.dataset.theme = mode;
    document.documentElement.style.colorScheme = mode;
  }, [mode]);
  const toggle = useCallback(
    () =>
      setMode((m) => {
        const next = m === "dark" ? "light" : "dark";
        localStorage.setItem(KEY, next);
        return next;
      }),
    [],
  );
  const value = useMemo(() => ({ mode, toggle }), [mode, toggle]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export const useThemeMode = () => useContext(Ctx);
