CREATE TABLE `customers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organisation_id` integer NOT NULL,
	`org_seq` integer NOT NULL,
	`email` text NOT NULL,
	`registered_from_ip` text,
	`title` text NOT NULL,
	`first_name` text NOT NULL,
	`last_name` text NOT NULL,
	`birth_date` text NOT NULL,
	`phone` text NOT NULL,
	`city` text NOT NULL,
	`street` text NOT NULL,
	`building` text NOT NULL,
	`building_addon` text,
	`postal_code` text NOT NULL,
	`language` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`organisation_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customers_email_unique` ON `customers` (lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX `customers_organisation_seq_unique` ON `customers` (`organisation_id`,`org_seq`);--> statement-breakpoint
CREATE TABLE `eans` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`customer_id` integer NOT NULL,
	`supplier_id` integer,
	`supplier_name` text,
	`number` text NOT NULL,
	`product` text NOT NULL,
	`reason` text NOT NULL,
	`building` text,
	`building_addon` text,
	`street` text,
	`city` text,
	`state` text NOT NULL,
	`postal_code` text,
	`consumptions` text,
	`solar_panels` integer NOT NULL,
	`inverter_max_power` integer,
	`contract_end_date` text,
	`respect_contract_end_date` integer NOT NULL,
	`fixed_fee` text,
	`tariff_group` text,
	`recording_period` text,
	`wkk` text,
	`gsc` text,
	`created_at` text NOT NULL,
	`confirmed_at` text,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`supplier_id`) REFERENCES `suppliers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `eans_number_unique` ON `eans` (`number`);--> statement-breakpoint
CREATE INDEX `eans_customer_idx` ON `eans` (`customer_id`);--> statement-breakpoint
CREATE TABLE `organisations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`domain` text NOT NULL,
	`customers_count` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `suppliers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organisation_id` integer NOT NULL,
	`hash` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text,
	FOREIGN KEY (`organisation_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tokens_hash_unique` ON `tokens` (`hash`);--> statement-breakpoint
CREATE INDEX `tokens_organisation_idx` ON `tokens` (`organisation_id`);