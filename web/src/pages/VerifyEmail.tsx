import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, Card, Spin, Typography } from "antd";
import { useEffect } from "react";
import { Link, useSearchParams } from "react-router";
import { api, ApiFailure, tokenStore, unwrap } from "../api/client";
import { useErrorText } from "../api/errors";
import { keys } from "../api/queries";
import { usePageTitle } from "../components/usePageTitle";
import { useI18n } from "../i18n";

/** The link mailed at registration (or after a change of address): opening it verifies the address. */
export default function VerifyEmail() {
  const { t } = useI18n();
  usePageTitle(t("verify.title"));
  const errorText = useErrorText();
  const qc = useQueryClient();
  const token = useSearchParams()[0].get("token") ?? "";
  const verify = useMutation({
    mutationFn: () => unwrap(api.POST("/api/auth/verify-email", { body: { token } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.me }),
  });
  const { mutate } = verify;
  useEffect(() => {
    if (token) mutate();
  }, [token, mutate]);
  const badLink = !token || (verify.error instanceof ApiFailure && verify.error.code === "invalid_verification_token");
  const next = tokenStore.get() ? "/settings" : "/login";
  return (
    <Card>
      <Typography.Title level={1} style={{ fontSize: 24, marginTop: 0 }}>
        {t("verify.title")}
      </Typography.Title>
      {verify.isPending && <Spin />}
      {verify.isSuccess && <Alert type="success" showIcon title={t("verify.done")} description={t("verify.doneHint")} data-testid="verify-result" />}
      {badLink ? (
        <Alert type="error" showIcon title={t("verify.invalid")} description={t("verify.invalidHint")} data-testid="verify-result" />
      ) : (
        verify.error && <Alert type="error" showIcon title={errorText(verify.error)} data-testid="verify-result" />
      )}
      <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0 }}>
        <Link to={next} className="tap">{t(tokenStore.get() ? "verify.toSettings" : "auth.backToLogin")}</Link>
      </Typography.Paragraph>
    </Card>
  );
}
