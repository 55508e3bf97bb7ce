import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider, Spin, theme } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router/dom";
import { ApiFailure, setUnauthorizedHandler, tokenStore } from "./api/client";
import { I18nProvider, useI18n } from "./i18n";
import { bindLive } from "./live/sync";
import { router } from "./router";
import { signOut } from "./session";
import "./styles.css";
import { ThemeModeProvider, useThemeMode } from "./theme";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again; network errors and 5xx get two more tries.
      retry: (n, e) => n < 2 && !(e instanceof ApiFailure && e.status >= 400 && e.status < 500),
      staleTime: 10_000,
    },
  },
});

setUnauthorizedHandler(() => {
  if (!tokenStore.get()) return;
  void signOut(queryClient, false);
  const here = location.pathname + location.search;
  void router.navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
});
bindLive(queryClient);

// antd's default blue (#1677ff) and secondary greys miss WCAG AA contrast (4.5:1) for text and
// buttons; these keep the Ant look while passing axe's color-contrast rule in both themes.
const LIGHT = { borderRadius: 8, colorPrimary: "#0958d9", colorLink: "#0958d9", colorError: "#cf1322", colorWarning: "#ad6800", colorWarningText: "#874d00", colorErrorText: "#cf1322", colorTextSecondary: "rgba(0,0,0,0.65)", colorTextDescription: "rgba(0,0,0,0.65)", colorTextTertiary: "rgba(0,0,0,0.6)" };
const DARK = { borderRadius: 8, colorPrimary: "#1668dc", colorError: "#e84749", colorLink: "#69b1ff", colorTextSecondary: "rgba(255,255,255,0.7)", colorTextDescription: "rgba(255,255,255,0.7)", colorTextTertiary: "rgba(255,255,255,0.6)" };

function Shell() {
  const { lang } = useI18n();
  const { mode } = useThemeMode();
  return (
    <ConfigProvider
      locale={lang === "zh" ? zhCN : enUS}
      // No auto space inside two-character Chinese labels ("登 录"): it reads oddly and breaks text search.
      button={{ autoInsertSpace: false }}
      theme={{
        algorithm: mode === "dark" ? theme.darkAlgorithm : theme.defaultAlgorithm,
        token: mode === "dark" ? DARK : LIGHT,
        // Component tokens skip the dark algorithm (which darkens a seed red below 4.5:1 on dark cards): a
        // lighter red for danger buttons, and dark text on the filled ones.
        components: mode === "dark"
          ? { Menu: { itemSelectedColor: "#91caff" }, Button: { colorError: "#f25c5e", colorErrorHover: "#ff7875", colorErrorActive: "#f25c5e", dangerColor: "#141414" } }
          : undefined,
      }}
    >
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <Suspense fallback={<Spin fullscreen />}>
            <RouterProvider router={router} />
          </Suspense>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ThemeModeProvider>
      <I18nProvider>
        <Shell />
      </I18nProvider>
    </ThemeModeProvider>
  </StrictMode>,
);
