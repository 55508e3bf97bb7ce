import { DownloadOutlined } from "@ant-design/icons";
import type { TaskLogLine } from "@shared/live";
import { App, Button, Card, Checkbox, Empty, Flex, Segmented, Switch, Typography, theme } from "antd";
import { useEffect, useRef, useState } from "react";
import { useErrorText } from "../api/errors";
import type { LogLine } from "../api/queries";
import { useI18n, type MessageKey } from "../i18n";
import { downloadText, when } from "../lib/format";
import { CodedText, codedText } from "./ServerText";

type Level = TaskLogLine["level"];
type Filter = Exclude<Level, "DEBUG"> | "ALL";

const LEVEL_KEY: Record<Level, MessageKey> = { DEBUG: "log.DEBUG", INFO: "log.INFO", WARNING: "log.WARNING", ERROR: "log.ERROR" };
const LEVEL_COLOR: Record<Level, "secondary" | "warning" | "danger" | undefined> = { DEBUG: "secondary", INFO: undefined, WARNING: "warning", ERROR: "danger" };

/** The export pages through the logs API this many lines at a time (its maximum). */
const PAGE = 500;

/**
 * The task's log: levels in the reader's language, DEBUG lines only behind a switch, and an export of
 * the whole log (every level, fetched page by page) rather than the lines on screen.
 */
export function LogPanel({ taskId, logs, live, fetchAfter }: { taskId: number; logs: LogLine[]; live: boolean; fetchAfter: (afterId: number, limit: number) => Promise<LogLine[]> }) {
  const { t, lang } = useI18n();
  const { token } = theme.useToken();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const [level, setLevel] = useState<Filter>("ALL");
  const [debug, setDebug] = useState(false);
  const [follow, setFollow] = useState(true);
  const [exporting, setExporting] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const lines = logs.filter((l) => (l.level === "DEBUG" ? debug && level === "ALL" : level === "ALL" || l.level === level));
  const last = lines.at(-1)?.id;
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [last, follow]);

  const exportAll = async () => {
    setExporting(true);
    try {
      const all: LogLine[] = [];
      for (let after = 0; ; ) {
        const page = await fetchAfter(after, PAGE);
        all.push(...page);
        if (page.length < PAGE) break;
        after = page.at(-1)!.id;
      }
      const body = all.map((l) => `${when(l.created_at)} [${t(LEVEL_KEY[l.level])}] ${codedText(l, lang) ?? l.message}`).join("\n");
      downloadText(`task-${taskId}-log.txt`, body + "\n");
      message.success(t("log.exported", { n: all.length }));
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setExporting(false);
    }
  };

  return (
    // The title has the header to itself; the controls sit under it, so a phone never cuts the title.
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("detail.logs")}</h2>}>
      <Flex gap={8} wrap align="center" style={{ marginBottom: 12 }}>
        <Segmented<Filter>
          size="small"
          aria-label={t("detail.logLevel")}
          value={level}
          onChange={setLevel}
          options={[
            { value: "ALL", label: t("detail.allLevels") },
            { value: "INFO", label: t("log.INFO") },
            { value: "WARNING", label: t("log.WARNING") },
            { value: "ERROR", label: t("log.ERROR") },
          ]}
        />
        <label style={{ display: "inline-flex", gap: 6, alignItems: "center" }} data-tap-row>
          <Switch size="small" checked={debug} onChange={setDebug} data-testid="log-debug" />
          {t("log.showDebug")}
        </label>
        <Checkbox checked={follow} onChange={(e) => setFollow(e.target.checked)}>
          {t("detail.follow")}
        </Checkbox>
        <Button size="small" icon={<DownloadOutlined />} onClick={() => void exportAll()} loading={exporting} disabled={!logs.length} data-testid="log-export">
          {t("detail.export")}
        </Button>
      </Flex>
      <div
        ref={box}
        className="log-box mono"
        role="log"
        aria-live={live ? "polite" : "off"}
        aria-label={t("detail.logs")}
        tabIndex={0}
        style={{ background: token.colorFillQuaternary }}
        data-testid="log-box"
      >
        {lines.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("detail.noLogs")} />
        ) : (
          lines.map((l) => (
            // data-log-fallback: a line the server sent without a code, so only its Chinese message exists.
            <div key={l.id} className="log-line" data-level={l.level} {...(codedText(l, lang) === null ? { "data-log-fallback": "" } : {})}>
              <Typography.Text type="secondary">{when(l.created_at).slice(11)}</Typography.Text>{" "}
              <Typography.Text type={LEVEL_COLOR[l.level]} strong={l.level === "WARNING" || l.level === "ERROR"}>
                [{t(LEVEL_KEY[l.level])}]
              </Typography.Text>{" "}
              <Typography.Text type={l.level === "ERROR" ? "danger" : undefined}>
                <CodedText code={l.code} params={l.params} text={l.message} />
              </Typography.Text>
            </div>
          ))
        )}
      </div>
    </Card>
  );
}
