import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider, theme } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { StrictMode } from "react";
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

function Shell() {
  const { lang } = useI18n();
  const { mode } = useThemeMode();
  return (
    <ConfigProvider
      locale={lang === "zh" ? zhCN : enUS}
      theme={{ algorithm: mode === "dark" ? theme.darkAlgorithm : theme.defaultAlgorithm, token: { borderRadius: 8 } }}
    >
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
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
