import { Button, Result } from "antd";
import { useNavigate } from "react-router";
import { usePageTitle } from "../components/usePageTitle";
import { useI18n } from "../i18n";

export default function NotFound() {
  const { t } = useI18n();
  usePageTitle(t("app.notFound"));
  const navigate = useNavigate();
  return <Result status="404" title="404" subTitle={t("app.notFound")} extra={<Button type="primary" onClick={() => navigate("/")}>{t("app.back")}</Button>} />;
}
