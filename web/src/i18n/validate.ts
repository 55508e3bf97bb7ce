import type { FormProps } from "antd";
import type { Translate } from ".";

/** antd form messages from our catalogue (`${label}`, `${min}`… are antd's own placeholders, kept as they are). */
export function validateMessages(t: Translate): NonNullable<FormProps["validateMessages"]> {
  return {
    default: t("form.invalid"),
    required: t("form.required"),
    whitespace: t("form.required"),
    types: { email: t("form.email"), url: t("form.invalid"), number: t("form.invalid"), integer: t("form.invalid") },
    string: { min: t("form.minChars"), max: t("form.maxChars"), range: t("form.rangeChars"), len: t("form.lenChars") },
    number: { min: t("form.minNumber"), max: t("form.maxNumber"), range: t("form.rangeNumber") },
    pattern: { mismatch: t("form.invalid") },
  };
}
