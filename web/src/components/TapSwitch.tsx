import { Switch, type SwitchProps } from "antd";

/** A form's switch inside a label: on a phone its whole 44 px row takes the tap (styles.css `[data-tap-row]`). */
export function TapSwitch(props: SwitchProps) {
  return (
    <label data-tap-row style={{ display: "inline-flex" }}>
      <Switch {...props} />
    </label>
  );
}
