ALTER TABLE `relay_pairing_codes` ADD `selector` text;--> statement-breakpoint
ALTER TABLE `relay_pairing_codes` ADD `failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `relay_pairing_codes_selector` ON `relay_pairing_codes` (`selector`);--> statement-breakpoint
ALTER TABLE `relays` ADD `confirmed_at` text;--> statement-breakpoint
-- Relays paired before confirmation existed were already carrying their owners' traffic: they stay confirmed.
UPDATE `relays` SET `confirmed_at` = `created_at`;
