import { CheckCircleOutlined, MobileOutlined, ReloadOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Flex, Typography } from "antd";
import { useState } from "react";
import { api, unwrap } from "../api/client";
import { useErrorText } from "../api/errors";
import { keys, type LeftItem, type Task } from "../api/queries";
import { useI18n } from "../i18n";
import { when } from "../lib/format";
import { UserData } from "./UserData";

/** An item as the student finds it in the 学习通 app: course › chapter › item (what there is of it). */
export const itemPath = (l: LeftItem): string => [l.course, l.chapter, l.item].filter(Boolean).join(" › ");

/** Shown at first; the rest are in the list below the card. */
const FIRST = 5;

/**
 * The top of a finished task with items left, for its owner: how many need them, each named so it can be
 * found in the 学习通 app, how to get there, and "I did it, check again", whose result is said.
 */
export function NeedsYouCard({ task: d }: { task: Task }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const qc = useQueryClient();
  const [howTo, setHowTo] = useState(false);
  const left = d.left_for_user;
  const rechecking = d.status === "running";
  const recheck = useMutation({
    mutationFn: () => unwrap(api.POST("/api/tasks/{id}/recheck", { params: { path: { id: d.id } } })),
    onSuccess: (r) => {
      qc.setQueryData(keys.task(d.id), (old: Task | undefined) => (old ? { ...old, ...r.task } : old));
      void qc.invalidateQueries({ queryKey: keys.tasks });
      message.success(t("done.recheck"));
    },
    onError: (e) => message.error(errorText(e, { conflict: "error.conflict_task" })),
  });
  // What the last recheck found, from its own log line (the server counts, not the page).
  const result = d.logs.findLast((l) => l.code === "recheck.result");
  const params = (result?.params ?? {}) as { done?: number; left?: number };
  return (
    <Card style={{ marginBottom: 16, borderColor: "#d48806" }} styles={{ body: { padding: 16 } }} data-testid="needs-you-card">
      <Typography.Title level={2} style={{ fontSize: 18, marginTop: 0 }} data-testid="outcome">
        {left.length ? t("detail.needsYou", { n: left.length }) : t("detail.completed")}
      </Typography.Title>
      {result && !rechecking && (
        <Alert
          type={params.left ? "info" : "success"}
          showIcon
          icon={<CheckCircleOutlined />}
          style={{ marginBottom: 12 }}
          title={t("detail.recheckResult", { done: params.done ?? 0, left: params.left ?? 0 })}
          description={when(result.created_at)}
          role="status"
          data-testid="recheck-result"
        />
      )}
      <ul style={{ margin: "0 0 12px", paddingInlineStart: 20 }} data-testid="needs-you-items">
        {left.slice(0, FIRST).map((l) => (
          <li key={itemPath(l)} style={{ overflowWrap: "anywhere" }}>
            <UserData>{itemPath(l)}</UserData>
          </li>
        ))}
        {left.length > FIRST && <li>{t("detail.needsYouMore", { n: left.length - FIRST })}</li>}
      </ul>
      {howTo && (
        <Alert type="info" showIcon icon={<MobileOutlined />} style={{ marginBottom: 12 }} title={t("detail.howToTitle")} description={t("detail.howToBody")} data-testid="needs-you-howto" />
      )}
      <Flex gap={8} wrap>
        <Button type="primary" icon={<MobileOutlined />} onClick={() => setHowTo((v) => !v)} aria-expanded={howTo} data-testid="go-to-cx">
          {t("detail.goToCx")}
        </Button>
        <Button className="wrap-btn" icon={<ReloadOutlined />} loading={recheck.isPending || rechecking} disabled={rechecking || !left.length} onClick={() => recheck.mutate()} data-testid="recheck">
          {rechecking ? t("detail.rechecking") : t("detail.doneRecheck")}
        </Button>
      </Flex>
    </Card>
  );
}
