import {
  AuditOutlined,
  BarChartOutlined,
  BookOutlined,
  CloudServerOutlined,
  DashboardOutlined,
  LogoutOutlined,
  MedicineBoxOutlined,
  MenuOutlined,
  ProfileOutlined,
  SettingOutlined,
  TeamOutlined,
  UnorderedListOutlined,
  UserOutlined,
} from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Button, Drawer, Dropdown, Flex, Grid, Layout, Menu, Skeleton, Typography, theme, type MenuProps } from "antd";
import { Suspense, useEffect, useState } from "react";
import { Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { tokenStore } from "../api/client";
import { useMe } from "../api/queries";
import { ConnectionBadge } from "../components/ConnectionBadge";
import { OfflineBanner } from "../components/OfflineBanner";
import { PrefsButtons } from "../components/PrefsButtons";
import { UserData } from "../components/UserData";
import { useI18n } from "../i18n";
import { useTaskNotices } from "../live/TaskNotices";
import { prefetchPages } from "../router";
import { signOut } from "../session";

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
  const screens = Grid.useBreakpoint();
  const [drawer, setDrawer] = useState(false);
  const signedIn = tokenStore.get() !== null;

  // Server-pushed notices (task finished, captcha needed…) appear wherever the user is.
  useTaskNotices(signedIn);

  const role = me.data?.role;
  useEffect(() => {
    if (!role || prefetched) return;
    // After the page the user asked for has loaded and settled.
    const id = setTimeout(() => {
      prefetched = true;
      void prefetchPages(role === "admin");
    }, 2000);
    return () => clearTimeout(id);
  }, [role]);

  useEffect(() => setDrawer(false), [location.pathname]);

  if (!signedIn) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;

  const items: MenuProps["items"] = [
    { key: "/", icon: <DashboardOutlined />, label: t("nav.overview") },
    { key: "/courses", icon: <BookOutlined />, label: t("nav.courses") },
    { key: "/tasks", icon: <UnorderedListOutlined />, label: t("nav.tasks") },
    { key: "/settings", icon: <SettingOutlined />, label: t("nav.settings") },
    { key: "/relay", icon: <CloudServerOutlined />, label: t("nav.relay") },
    { key: "/profile", icon: <ProfileOutlined />, label: t("nav.profile") },
    ...(me.data?.role === "admin"
      ? [
          {
            type: "group" as const,
            label: t("nav.admin"),
            children: [
              { key: "/admin", icon: <DashboardOutlined />, label: t("nav.adminOverview") },
              { key: "/admin/users", icon: <TeamOutlined />, label: t("nav.adminUsers") },
              { key: "/admin/tasks", icon: <UnorderedListOutlined />, label: t("nav.adminTasks") },
              { key: "/admin/statistics", icon: <BarChartOutlined />, label: t("nav.adminStats") },
              { key: "/admin/audit", icon: <AuditOutlined />, label: t("nav.adminAudit") },
              { key: "/admin/diagnostics", icon: <MedicineBoxOutlined />, label: t("nav.adminDiagnostics") },
            ],
          },
        ]
      : []),
  ];
  const keysFlat = ["/", "/courses", "/tasks", "/settings", "/relay", "/profile", "/admin", "/admin/users", "/admin/tasks", "/admin/statistics", "/admin/audit", "/admin/diagnostics"];
  const selected = keysFlat.filter((k) => k === "/" ? location.pathname === "/" : location.pathname === k || location.pathname.startsWith(k + "/")).at(-1) ?? "/";
  const menu = <Menu mode="inline" selectedKeys={[selected]} items={items} onClick={(e) => navigate(e.key)} style={{ borderInlineEnd: 0 }} />;
  const desktop = screens.lg !== false && screens.md !== false;
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
          <nav aria-label={t("nav.menu")}>{menu}</nav>
        </Sider>
      ) : (
        <Drawer open={drawer} onClose={() => setDrawer(false)} placement="left" size={240} title={t("app.name")} styles={{ body: { padding: 0 } }}>
          <nav aria-label={t("nav.menu")}>{menu}</nav>
        </Drawer>
      )}
      <Layout>
        <Header style={{ background: token.colorBgContainer, padding: "0 12px", borderBottom: `1px solid ${token.colorBorderSecondary}`, position: "sticky", top: 0, zIndex: 10 }}>
          <Flex align="center" gap={4} style={{ height: "100%" }}>
            {!desktop && <Button type="text" icon={<MenuOutlined />} onClick={() => setDrawer(true)} aria-label={t("nav.menu")} />}
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
