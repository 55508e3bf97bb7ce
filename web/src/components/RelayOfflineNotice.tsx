/**
 * On a task paused with `relay_offline` or `relay_outdated`: what happened, and the command that brings
 * it back (start the relay again, or reinstall it when the deployment refused its version).
 */
import { Alert, Typography } from "antd";
import { Link } from "react-router";
import { useRelays } from "../api/queries";
import { useI18n } from "../i18n";

export function RelayOfflineNotice({ outdated = false }: { outdated?: boolean }) {
  const { t } = useI18n();
  const relays = useRelays();
  const command = outdated ? relays.data?.install_commands.sh : relays.data?.run_command;
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      title={t(outdated ? "relay.outdatedTitle" : "relay.offlineTitle")}
      data-testid="relay-offline"
      description={
        <>
          <div>{t(outdated ? "relay.outdatedBody" : "relay.offlineBody")}</div>
          {command && (
            <Typography.Paragraph copyable={{ text: command }} className="mono" style={{ wordBreak: "break-all", margin: "8px 0" }}>
              <code>{command}</code>
            </Typography.Paragraph>
          )}
          <Link to="/relay">{t("relay.goRelay")}</Link>
        </>
      }
    />
  );
}
