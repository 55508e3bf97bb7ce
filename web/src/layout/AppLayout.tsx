import { LogoutOutlined, MenuOutlined, ProfileOutlined, UserOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Button, Dropdown, Flex, Layout, Skeleton, Typography, theme } from "antd";
import { lazy, Suspense, useEffect, useState } from "react";
import { Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { tokenStore } from "../api/client";
import { useMe } from "../api/queries";
import { ConnectionBadge } from "../components/ConnectionBadge";
import { OfflineBanner } from "../components/OfflineBanner";
import { PrefsButtons } from "../components/PrefsButtons";
import { useBackCloses } from "../components/useBackCloses";
import { useMedia } from "../components/useIsPhone";
import { UserData } from "../components/UserData";
import { useI18n } from "../i18n";
import { useTaskNotices } from "../live/TaskNotices";
import { keepAppCopy } from "../app-copy";
import { prefetchPages } from "../chunks";
import { signOut } from "../session";

const NavMenu = lazy(() => import("./NavMenu"));
const PhoneNav = lazy(() => import("./PhoneNav"));

/** Page chunks are fetched once per page load, after the first page is up (router.tsx). */
let prefetched = false;

const { Header, Sider, Content, Footer } = Layout;

/** The signed-in shell: navigation, live state, switches, user menu; pages render in the Outlet. */
export default function AppLayout() {
  const { t } = useI18n();
  const { token } = theme.useToken();
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const me = useMe();
  const [drawer, setDrawer] = useState(false);
  const [drawerUsed, setDrawerUsed] = useState(false);
  const signedIn = tokenStore.get() !== null;

  // Server-pushed notices (task finished, captcha needed…) appear wherever the user is.
  useTaskNotices(signedIn);

  const role = me.data?.role;
  useEffect(() => {
    if (!role || prefetched) return;
    // After the page the user asked for has loaded and settled.
    const id = setTimeout(() => {
      prefetched = true;
      keepAppCopy();
      void prefetchPages(role === "admin");
    }, 2000);
    return () => clearTimeout(id);
  }, [role]);

  useEffect(() => setDrawer(false), [location.pathname]);
  useBackCloses(drawer, () => setDrawer(false));
  // antd's `lg` (992 px) and up: the sider; below it the drawer. Known on the first render (no sider and
  // menu drawn, and fetched, first on a phone).
  const desktop = useMedia("(min-width: 992px)");

  if (!signedIn) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;

  const logout = async () => {
    await signOut(qc, true);
    navigate("/login", { replace: true });
  };

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <a className="skip-link" href="#main">
        {t("app.skip")}
      </a>
      {desktop ? (
        <Sider width={216} theme="light" style={{ borderInlineEnd: `1px solid ${token.colorBorderSecondary}` }}>
          <Brand />
          <nav aria-label={t("nav.menu")}>
            <Suspense fallback={null}>
              <NavMenu admin={role === "admin"} />
            </Suspense>
          </nav>
        </Sider>
      ) : (
        // The phone's drawer and menu are fetched when first opened: not on the first screen's path.
        drawerUsed && (
          <Suspense fallback={null}>
            <PhoneNav open={drawer} onClose={() => setDrawer(false)} admin={role === "admin"} />
          </Suspense>
        )
      )}
      <Layout>
        <Header style={{ background: token.colorBgContainer, padding: "0 12px", borderBottom: `1px solid ${token.colorBorderSecondary}`, position: "sticky", top: 0, zIndex: 10 }}>
          <Flex align="center" gap={4} style={{ height: "100%" }}>
            {!desktop && (
              <Button
                type="text"
                icon={<MenuOutlined />}
                onClick={() => {
                  setDrawerUsed(true);
                  setDrawer(true);
                }}
                aria-label={t("nav.menu")}
              />
            )}
            {!desktop && <Typography.Text strong>{t("app.name")}</Typography.Text>}
            <div style={{ flex: 1 }} />
            <ConnectionBadge />
            <PrefsButtons />
            {/* Click, not hover: phones have no hover. */}
            <Dropdown
              trigger={["click"]}
              menu={{
                items: [
                  { key: "profile", icon: <ProfileOutlined />, label: t("nav.profile"), onClick: () => navigate("/profile") },
                  { type: "divider" },
                  { key: "logout", icon: <LogoutOutlined />, label: t("nav.logout"), danger: true, onClick: () => void logout() },
                ],
              }}
            >
              <Button type="text" icon={<UserOutlined />} data-testid="user-menu">
                <span className="hide-sm">
                  <UserData>{me.data?.username}</UserData>
                </span>
              </Button>
            </Dropdown>
          </Flex>
        </Header>
        <OfflineBanner />
        <Content id="main" tabIndex={-1} style={{ padding: desktop ? 24 : 12, outline: "none", minWidth: 0 }}>
          <Suspense fallback={<Skeleton active paragraph={{ rows: 8 }} />}>
            <Outlet />
          </Suspense>
        </Content>
        <Footer style={{ textAlign: "center", padding: "12px 16px" }}>
          <Typography.Text type="secondary">{t("app.free")}</Typography.Text>
        </Footer>
      </Layout>
    </Layout>
  );
}

function Brand() {
  const { t } = useI18n();
  return (
    <Flex align="center" gap={8} style={{ height: 64, padding: "0 20px" }}>
      <img src="/favicon.svg" alt="" width={26} height={26} />
      <Typography.Text strong style={{ fontSize: 16 }}>
        {t("app.name")}
      </Typography.Text>
    </Flex>
  );
}
