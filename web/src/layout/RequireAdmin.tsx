import { Button, Result, Spin } from "antd";
import { Outlet, useNavigate } from "react-router";
import { useMe } from "../api/queries";
import { useI18n } from "../i18n";

/** Admin pages only for admins; the server enforces it too (403), this just explains it. */
export default function RequireAdmin() {
  const { t } = useI18n();
  const me = useMe();
  const navigate = useNavigate();
  // A last copy that says "user" may be from before a promotion: wait for the server's answer before a 403.
  if (me.isPending || (me.isFetching && me.data?.role !== "admin")) return <Spin style={{ display: "block", margin: 48 }} />;
  if (me.data?.role !== "admin")
    return (
      <Result status="403" title="403" subTitle={t("app.forbidden")} extra={<Button type="primary" onClick={() => navigate("/")}>{t("app.back")}</Button>} />
    );
  return <Outlet />;
}
