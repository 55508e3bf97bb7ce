ALTER TABLE `task_logs` ADD `code` text;--> statement-breakpoint
ALTER TABLE `task_logs` ADD `params` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `error_code` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `error_params` text;