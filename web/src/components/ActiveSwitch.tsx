import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Switch } from "antd";
import { api, unwrap } from "../api/client";
import { useErrorText } from "../api/errors";
import { keys } from "../api/queries";
import { useI18n } from "../i18n";
import { UserData } from "./UserData";

export interface ActiveUser {
  id: number;
  username: string;
  is_active: boolean;
  /** Their pending, running and paused tasks: what deactivation cancels. */
  liveTasks: number;
}

/** Asks before deactivating: it signs the user out everywhere and cancels their live tasks. */
export function useConfirmDeactivate() {
  const { t } = useI18n();
  const { modal } = App.useApp();
  return (user: Omit<ActiveUser, "is_active">, onOk: () => Promise<unknown>) =>
    modal.confirm({
      title: (
        <>
          {t("admin.deactivateTitle")} <UserData>{user.username}</UserData>
        </>
      ),
      content: user.liveTasks > 0 ? t("admin.deactivateTasks", { n: user.liveTasks }) : t("admin.deactivateNoTasks"),
      okText: t("admin.deactivate"),
      cancelText: t("action.no"),
      okButtonProps: { danger: true },
      onOk: () => onOk().catch(() => undefined),
    });
}

/** The users list's 启用 switch: turning it off is confirmed first; turning it on is harmless. */
export function ActiveSwitch({ user }: { user: ActiveUser }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const qc = useQueryClient();
  const confirm = useConfirmDeactivate();
  const toggle = useMutation({
    mutationFn: (is_active: boolean) => unwrap(api.PUT("/api/admin/users/{id}", { params: { path: { id: user.id } }, body: { is_active } })),
    onSuccess: () => {
      message.success(t("admin.saved"));
      void qc.invalidateQueries({ queryKey: keys.admin });
    },
    onError: (e) => message.error(errorText(e)),
  });
  // A label around it: on a phone its whole 44 px row takes the tap.
  return (
    <label data-tap-row style={{ display: "inline-flex" }}>
      <Switch
        checked={user.is_active}
        aria-label={`${t("admin.active")} ${user.username}`}
        loading={toggle.isPending}
        onChange={(on) => (on ? toggle.mutate(true) : confirm(user, () => toggle.mutateAsync(false)))}
        data-testid={`active-${user.id}`}
      />
    </label>
  );
}
