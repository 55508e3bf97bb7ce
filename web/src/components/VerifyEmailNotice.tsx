import { MailOutlined } from "@ant-design/icons";
import { useMutation } from "@tanstack/react-query";
import { Alert, App, Button } from "antd";
import { api, unwrap } from "../api/client";
import { useErrorText } from "../api/errors";
import { useMe } from "../api/queries";
import { useI18n } from "../i18n";
import { UserData } from "./UserData";

/**
 * Until the address is verified nothing reaches it but the link and a password reset: say so, with the
 * address the link went to and a way to send it again.
 */
export function VerifyEmailNotice() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const me = useMe();
  const resend = useMutation({
    mutationFn: () => unwrap(api.POST("/api/auth/verify-email/resend")),
    onSuccess: () => message.success(t("verify.resent")),
    onError: (e) => message.error(errorText(e)),
  });
  if (!me.data || me.data.email_verified) return null;
  return (
    <Alert
      type="info"
      showIcon
      icon={<MailOutlined />}
      style={{ marginBottom: 16 }}
      title={t("verify.pending")}
      description={
        <>
          {t("verify.pendingBody")} <UserData>{me.data.email}</UserData>
        </>
      }
      action={
        <Button onClick={() => resend.mutate()} loading={resend.isPending} data-testid="verify-resend">
          {t("verify.resend")}
        </Button>
      }
      data-testid="verify-notice"
    />
  );
}
