CREATE TABLE `claim_sweeps` (
	`table_name` text PRIMARY KEY NOT NULL,
	`after_created_at` text NOT NULL,
	`after_key` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ean_claims` (
	`key` text PRIMARY KEY NOT NULL,
	`organisation_id` integer NOT NULL,
	`claim_id` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ean_claims_created_idx` ON `ean_claims` (`created_at`,`key`);--> statement-breakpoint
CREATE TABLE `email_claims` (
	`key` text PRIMARY KEY NOT NULL,
	`organisation_id` integer NOT NULL,
	`claim_id` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `email_claims_created_idx` ON `email_claims` (`created_at`,`key`);