import { ReloadOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Flex, Form, Input, Skeleton } from "antd";
import { useEffect } from "react";
import { api, unwrap } from "../api/client";
import { useErrorText } from "../api/errors";
import { keys } from "../api/queries";
import { useI18n } from "../i18n";

/** Chaoxing asks for a captcha: its image (on the host that raised it) and the answer, on the task page. */
export default function CaptchaPrompt({ id }: { id: number }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ code: string }>();
  const image = useQuery({
    queryKey: ["captcha", id],
    queryFn: async () => URL.createObjectURL(await unwrap(api.GET("/api/tasks/{id}/captcha", { params: { path: { id } }, parseAs: "blob" }))),
    staleTime: Infinity,
    gcTime: 0,
  });
  useEffect(() => () => void (image.data && URL.revokeObjectURL(image.data)), [image.data]);
  const send = useMutation({
    mutationFn: (code: string) => unwrap(api.POST("/api/tasks/{id}/captcha", { params: { path: { id } }, body: { code } })),
    onSuccess: () => {
      message.success(t("detail.captchaSent"));
      form.resetFields();
      void qc.invalidateQueries({ queryKey: keys.task(id) });
    },
    onError: (e) => {
      message.error(errorText(e, { upstream_failed: "error.captcha_rejected" }));
      void image.refetch();
    },
  });
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      title={t("detail.captchaTitle")}
      data-testid="captcha-prompt"
      description={
        <>
          <div style={{ marginBottom: 8 }}>{t("detail.captchaBody")}</div>
          <Flex gap={12} wrap align="center">
            {image.data ? <img src={image.data} alt={t("detail.captchaImage")} height={40} style={{ borderRadius: 4, background: "#fff" }} /> : <Skeleton.Image active style={{ width: 120, height: 40 }} />}
            <Button icon={<ReloadOutlined />} onClick={() => void image.refetch()} aria-label={t("detail.captchaReload")}>
              {t("detail.captchaReload")}
            </Button>
            <Form form={form} layout="inline" onFinish={(v) => send.mutate(v.code.trim())} style={{ flexWrap: "nowrap" }}>
              <Form.Item name="code" rules={[{ required: true, whitespace: true, message: t("auth.required", { field: t("detail.captchaInput") }) }]}>
                <Input placeholder={t("detail.captchaInput")} aria-label={t("detail.captchaInput")} autoComplete="off" style={{ width: 120 }} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={send.isPending}>
                {t("detail.captchaSubmit")}
              </Button>
            </Form>
          </Flex>
        </>
      }
    />
  );
}

