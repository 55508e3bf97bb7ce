import {
  AuditOutlined,
  BarChartOutlined,
  BookOutlined,
  CloudServerOutlined,
  DashboardOutlined,
  MedicineBoxOutlined,
  ProfileOutlined,
  SettingOutlined,
  TeamOutlined,
  UnorderedListOutlined,
} from "@ant-design/icons";
import { Menu, type MenuProps } from "antd";
import { useLocation, useNavigate } from "react-router";
import { inOverlay } from "../components/useBackCloses";
import { useI18n } from "../i18n";

/** The app's pages as a menu (the desktop sider, the phone's drawer). */
export default function NavMenu({ admin }: { admin: boolean }) {
  const { t } = useI18n();
  const location = useLocation();
  const navigate = useNavigate();
  const items: MenuProps["items"] = [
    { key: "/", icon: <DashboardOutlined />, label: t("nav.overview") },
    { key: "/courses", icon: <BookOutlined />, label: t("nav.courses") },
    { key: "/tasks", icon: <UnorderedListOutlined />, label: t("nav.tasks") },
    { key: "/settings", icon: <SettingOutlined />, label: t("nav.settings") },
    { key: "/relay", icon: <CloudServerOutlined />, label: t("nav.relay") },
    { key: "/profile", icon: <ProfileOutlined />, label: t("nav.profile") },
    ...(admin
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
  // From the open drawer, a page replaces the drawer's history entry: back then leads to the page before.
  return <Menu mode="inline" selectedKeys={[selected]} items={items} onClick={(e) => navigate(e.key, { replace: inOverlay() })} style={{ borderInlineEnd: 0 }} />;
}
