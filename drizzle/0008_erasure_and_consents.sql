ALTER TABLE `customers` ADD `terms_accepted_at` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `privacy_accepted_at` text;--> statement-breakpoint
ALTER TABLE `idempotency_keys` ADD `subject` text;--> statement-breakpoint
CREATE INDEX `idempotency_keys_subject_idx` ON `idempotency_keys` (`subject`);--> statement-breakpoint
-- Customers created before consents had times gave them when they were created.
UPDATE `customers` SET `terms_accepted_at` = `created_at`, `privacy_accepted_at` = `created_at` WHERE `terms_accepted_at` IS NULL;
