import { Drawer } from "antd";
import { useI18n } from "../i18n";
import NavMenu from "./NavMenu";

/** The phone's navigation: a drawer from the left with the menu. */
export default function PhoneNav({ open, onClose, admin }: { open: boolean; onClose: () => void; admin: boolean }) {
  const { t } = useI18n();
  return (
    <Drawer open={open} onClose={onClose} placement="left" size={240} title={t("app.name")} styles={{ body: { padding: 0 } }}>
      <nav aria-label={t("nav.menu")}>
        <NavMenu admin={admin} />
      </nav>
    </Drawer>
  );
}
