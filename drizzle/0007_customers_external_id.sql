ALTER TABLE `customers` ADD `external_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `customers_organisation_external_id_unique` ON `customers` (`organisation_id`,`external_id`);