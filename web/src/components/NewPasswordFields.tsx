import { Form, Input } from "antd";
import { useI18n } from "../i18n";

/**
 * A new password (the server's rule: at least 8 characters) and its confirmation, as register, reset and
 * the profile's password change all ask for it.
 */
export function NewPasswordFields({ name, label, autoFocus = false }: { name: string; label: string; autoFocus?: boolean }) {
  const { t } = useI18n();
  return (
    <>
      <Form.Item name={name} label={label} extra={t("auth.passwordRule")} rules={[{ required: true, message: t("auth.required", { field: label }) }, { min: 8, message: t("auth.passwordRule") }]}>
        <Input.Password autoComplete="new-password" autoFocus={autoFocus} />
      </Form.Item>
      <Form.Item
        name="confirm"
        label={t("auth.confirmPassword")}
        dependencies={[name]}
        rules={[
          { required: true, message: t("auth.required", { field: t("auth.confirmPassword") }) },
          ({ getFieldValue }) => ({ validator: (_, v) => (!v || v === getFieldValue(name) ? Promise.resolve() : Promise.reject(new Error(t("auth.passwordMismatch")))) }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
    </>
  );
}
