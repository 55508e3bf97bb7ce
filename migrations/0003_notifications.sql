CREATE TABLE `notify_channels` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`enabled` integer DEFAULT false NOT NULL,
	`secrets_enc` text,
	`host` text,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notify_channels_user_kind` ON `notify_channels` (`user_id`,`kind`);--> statement-breakpoint
CREATE TABLE `notify_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` integer NOT NULL,
	`channel` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`http_status` integer,
	`excerpt` text,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `notify_events`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notify_deliveries_event_channel` ON `notify_deliveries` (`event_id`,`channel`);--> statement-breakpoint
CREATE TABLE `notify_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`idem_key` text NOT NULL,
	`message_id` text NOT NULL,
	`user_id` integer NOT NULL,
	`task_id` integer,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notify_events_idem` ON `notify_events` (`idem_key`);--> statement-breakpoint
CREATE INDEX `notify_events_task` ON `notify_events` (`task_id`,`kind`,`created_at`);--> statement-breakpoint
CREATE INDEX `notify_events_user` ON `notify_events` (`user_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `user_configs` ADD `language` text DEFAULT 'zh-CN' NOT NULL;--> statement-breakpoint
ALTER TABLE `user_configs` ADD `notify_muted` text DEFAULT '[]' NOT NULL;