import { Alert, Flex, Layout, Spin, Typography, theme } from "antd";
import { Suspense } from "react";
import { Outlet } from "react-router";
import { OfflineBanner } from "../components/OfflineBanner";
import { PrefsButtons } from "../components/PrefsButtons";
import { useI18n } from "../i18n";

/** Sign-in, register and password pages: a centred card, the free notice, the switches. */
export default function AuthLayout() {
  const { t } = useI18n();
  const { token } = theme.useToken();
  return (
    <Layout style={{ minHeight: "100vh", background: `linear-gradient(160deg, ${token.colorPrimaryBg}, ${token.colorBgLayout} 55%)` }}>
      <Flex component="header" justify="space-between" align="center" style={{ padding: "12px 20px" }}>
        <Typography.Text strong style={{ fontSize: 18 }}>
          <img src="/favicon.svg" alt="" width={24} height={24} style={{ verticalAlign: -6, marginInlineEnd: 8 }} />
          {t("app.name")}
        </Typography.Text>
        <Flex gap={4}>
          <PrefsButtons />
        </Flex>
      </Flex>
      <OfflineBanner live={false} />
      <Flex component="main" vertical align="center" style={{ padding: "24px 16px 48px", flex: 1 }}>
        <div style={{ width: "100%", maxWidth: 420 }}>
          <Typography.Paragraph type="secondary" style={{ textAlign: "center" }}>
            {t("auth.welcome")}
          </Typography.Paragraph>
          <Suspense fallback={<Spin style={{ display: "block", margin: 48 }} />}>
            <Outlet />
          </Suspense>
          <Alert style={{ marginTop: 16 }} type="warning" showIcon title={t("app.free")} />
        </div>
      </Flex>
    </Layout>
  );
}
