import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider, Spin, theme } from "antd";
import { StrictMode, Suspense, useMemo } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router/dom";
import { ApiFailure, setSessionEndHandler, tokenStore } from "./api/client";
import { clearCopies, keepCopies, restoreCopies } from "./api/lastCopy";
import { startRoute } from "./boot";
import { I18nProvider, initialLang, loadLang, useI18n } from "./i18n";
import { bindLive, live } from "./live/sync";
import { router } from "./router";
import { signOut } from "./session";
import { useIsPhone } from "./components/useIsPhone";
import "./styles.css";
import { ThemeModeProvider, useThemeMode } from "./theme";
import { validateMessages } from "./i18n/validate";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again, nor will being offline; network errors and 5xx get two more tries.
      retry: (n, e) => n < 2 && !(e instanceof ApiFailure && (e.code === "offline" || (e.status >= 400 && e.status < 500))),
      staleTime: 10_000,
      // Not react-query's default "online" mode, which pauses while offline: a page says it is offline instead.
      networkMode: "always",
    },
    // An action while offline fails at once with a message; the default would pause it and fire it
    // when the network returns, long after the user gave up on it (README "The dashboard": never queued silently).
    mutations: { networkMode: "always", retry: false },
  },
});

/** The session is over (401, a disabled account, or the socket closed 1008): sign out and say why on the sign-in page. */
function endSession(code: string) {
  if (!tokenStore.get()) return;
  void signOut(queryClient, false);
  const here = location.pathname + location.search;
  const next = here.startsWith("/login") ? "/" : here;
  void router.navigate(`/login?${new URLSearchParams({ next, ended: code })}`, { replace: true });
}
setSessionEndHandler(endSession);
live.onSessionEnd(endSession);
bindLive(queryClient);
// The last copy first (a page shows at once), then what this route needs, all in parallel with the words.
if (tokenStore.get()) restoreCopies(queryClient, tokenStore.get());
else clearCopies();
keepCopies(queryClient, tokenStore.get);
startRoute(queryClient, location.pathname);
const lang = initialLang();

// antd's default blue (#1677ff) and secondary greys miss WCAG AA contrast (4.5:1) for text and
// buttons; these keep the Ant look while passing axe's color-contrast rule in both themes. Hover is
// darker, not lighter, in the light theme: a hovered default button's text must stay readable.
const LIGHT = { borderRadius: 8, colorPrimary: "#0958d9", colorPrimaryHover: "#003eb3", colorLink: "#0958d9", colorLinkHover: "#003eb3", colorError: "#cf1322", colorWarning: "#ad6800", colorWarningText: "#874d00", colorErrorText: "#cf1322", colorTextSecondary: "rgba(0,0,0,0.65)", colorTextDescription: "rgba(0,0,0,0.65)", colorTextTertiary: "rgba(0,0,0,0.6)" };
const DARK = { borderRadius: 8, colorPrimary: "#1668dc", colorError: "#e84749", colorErrorText: "#ff7875", colorLink: "#69b1ff", colorTextSecondary: "rgba(255,255,255,0.7)", colorTextDescription: "rgba(255,255,255,0.7)", colorTextTertiary: "rgba(255,255,255,0.6)" };

/**
 * On a phone every control is at least 44 px tall (a thumb, not a mouse pointer): antd's control heights
 * follow these tokens; styles.css covers what they do not reach.
 */
const THUMB = { controlHeight: 44, controlHeightSM: 44, controlHeightLG: 48 };

function Shell() {
  const { t, antdLocale } = useI18n();
  const { mode } = useThemeMode();
  const phone = useIsPhone();
  const form = useMemo(() => ({ validateMessages: validateMessages(t) }), [t]);
  return (
    <ConfigProvider
      locale={antdLocale}
      // No auto space inside two-character Chinese labels ("登 录"): it reads oddly and breaks text search.
      button={{ autoInsertSpace: false }}
      // antd's own messages read "邮箱不是一个有效的email": ours, in both languages.
      form={form}
      theme={{
        algorithm: mode === "dark" ? theme.darkAlgorithm : theme.defaultAlgorithm,
        token: { ...(mode === "dark" ? DARK : LIGHT), ...(phone ? THUMB : {}) },
        // Component tokens skip the dark algorithm (which darkens a seed red below 4.5:1 on dark cards): a
        // lighter red for danger buttons, and dark text on the filled ones.
        components: {
          ...(mode === "dark"
            ? { Menu: { itemSelectedColor: "#91caff" }, Button: { colorError: "#f25c5e", colorErrorHover: "#ff7875", colorErrorActive: "#f25c5e", dangerColor: "#141414" } }
            : {}),
        },
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

// The first render waits for this language's words only (its own chunk, fetched beside the route's).
void loadLang(lang).then(() =>
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <ThemeModeProvider>
        <I18nProvider initial={lang}>
          <Shell />
        </I18nProvider>
      </ThemeModeProvider>
    </StrictMode>,
  ),
);
