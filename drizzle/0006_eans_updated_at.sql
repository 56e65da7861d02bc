ALTER TABLE `eans` ADD `updated_at` text;--> statement-breakpoint
-- Until an EAN is first updated, updated_at is its created_at.
UPDATE `eans` SET `updated_at` = `created_at` WHERE `updated_at` IS NULL;
