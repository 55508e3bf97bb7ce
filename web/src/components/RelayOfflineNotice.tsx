/** On a task paused with `relay_offline` (issue 14): what happened, and the command that brings it back. */
import { Alert, Typography } from "antd";
import { Link } from "react-router";
import { useRelays } from "../api/queries";
import { useI18n } from "../i18n";

export function RelayOfflineNotice() {
  const { t } = useI18n();
  const relays = useRelays();
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      title={t("relay.offlineTitle")}
      data-testid="relay-offline"
      description={
        <>
          <div>{t("relay.offlineBody")}</div>
          {relays.data && (
            <Typography.Paragraph copyable={{ text: relays.data.run_command }} className="mono" style={{ wordBreak: "break-all", margin: "8px 0" }}>
              <code>{relays.data.run_command}</code>
            </Typography.Paragraph>
          )}
          <Link to="/relay">{t("relay.goRelay")}</Link>
        </>
      }
    />
  );
}
