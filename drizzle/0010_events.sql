CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organisation_id` integer NOT NULL,
	`type` text NOT NULL,
	`customer_id` integer,
	`created_at` text NOT NULL,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_organisation_id_idx` ON `events` (`organisation_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_organisation_type_id_idx` ON `events` (`organisation_id`,`type`,`id`);--> statement-breakpoint
CREATE INDEX `events_customer_idx` ON `events` (`customer_id`);--> statement-breakpoint
CREATE INDEX `events_created_idx` ON `events` (`created_at`);