-- The rollback notice of 0.2.x was the event `rollback`; it is now `rolled_back` (like `media_check.rolled_back`).
-- A user who switched it off keeps it off; notices already recorded keep counting in the per-task window.
UPDATE `user_configs` SET `notify_muted` = replace(`notify_muted`, '"rollback"', '"rolled_back"') WHERE `notify_muted` LIKE '%"rollback"%';
--> statement-breakpoint
UPDATE `notify_events` SET `kind` = 'rolled_back' WHERE `kind` = 'rollback';
