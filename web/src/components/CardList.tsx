import { MoreOutlined } from "@ant-design/icons";
import { Button, Card, Dropdown, Empty, Flex, List, Pagination, Typography, type MenuProps } from "antd";
import type { ReactNode } from "react";
import { useI18n } from "../i18n";

export { useIsPhone } from "./useIsPhone";

export interface CardListProps<T> {
  items: readonly T[];
  rowKey: (item: T) => string | number;
  render: (item: T) => ReactNode;
  loading?: boolean;
  empty?: ReactNode;
  /** Server paging, as the tables have it. */
  page?: { current: number; pageSize: number; total: number; onChange: (page: number) => void };
}

/** A list as cards (phones): one `ListCard` per item, simple paging underneath. */
export function CardList<T>({ items, rowKey, render, loading, empty, page }: CardListProps<T>) {
  return (
    <>
      <List
        loading={loading}
        dataSource={[...items]}
        split={false}
        locale={{ emptyText: empty ?? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
        renderItem={(item) => (
          <List.Item key={rowKey(item)} style={{ padding: "0 0 8px" }}>
            {render(item)}
          </List.Item>
        )}
      />
      {page && page.total > page.pageSize && (
        <Flex justify="center" style={{ marginTop: 8 }}>
          <Pagination simple current={page.current} pageSize={page.pageSize} total={page.total} onChange={page.onChange} showSizeChanger={false} />
        </Flex>
      )}
    </>
  );
}

export interface ListCardProps {
  title: ReactNode;
  /** Beside the title (a status tag); wraps under it when the title is long. */
  status?: ReactNode;
  /** The middle: progress, a line of facts. */
  children?: ReactNode;
  /** The one action a phone shows as a button. */
  action?: ReactNode;
  /** Everything else, behind "more". */
  menu?: MenuProps["items"];
  /** Left of the title (a selection checkbox). */
  prefix?: ReactNode;
  /** A tap anywhere on the card (its title too) does this: the whole row toggles its checkbox. */
  onTap?: () => void;
  testId?: string;
}

/** One item of a phone list: title and status, the middle, the primary action, the rest in a menu. */
export function ListCard({ title, status, children, action, menu, prefix, onTap, testId }: ListCardProps) {
  const { t } = useI18n();
  return (
    <Card
      size="small"
      style={{ width: "100%", cursor: onTap ? "pointer" : undefined }}
      styles={{ body: { padding: 12 } }}
      // The checkbox is the control for keyboards and screen readers; the card is a bigger target for a thumb.
      onClick={onTap ? (e) => !(e.target as HTMLElement).closest("input, button, a, label") && onTap() : undefined}
      data-testid={testId}
    >
      <Flex gap={8} align="flex-start">
        {prefix}
        <div style={{ flex: 1, minWidth: 0 }}>
          <Flex gap={8} wrap align="center" justify="space-between">
            <Typography.Text strong style={{ minWidth: 0, overflowWrap: "anywhere" }}>
              {title}
            </Typography.Text>
            {status}
          </Flex>
          {children && (
            <div className="list-card-body" style={{ marginTop: 8 }}>
              {children}
            </div>
          )}
          {(action || menu?.length) && (
            <Flex gap={8} wrap justify="flex-end" align="center" style={{ marginTop: 8 }}>
              {action}
              {menu?.length ? (
                <Dropdown menu={{ items: menu }} trigger={["click"]}>
                  <Button size="small" icon={<MoreOutlined />} aria-label={t("app.more")} />
                </Dropdown>
              ) : null}
            </Flex>
          )}
        </div>
      </Flex>
    </Card>
  );
}
