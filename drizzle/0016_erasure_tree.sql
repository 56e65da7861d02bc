CREATE TABLE `customer_erasures` (
	`organisation_id` integer NOT NULL,
	`node` integer NOT NULL,
	`erased` integer NOT NULL,
	PRIMARY KEY(`organisation_id`, `node`)
);
--> statement-breakpoint
ALTER TABLE `organisations` ADD `customers_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Sequences were dense until now (erasure renumbered them): the last one given is the count.
UPDATE `organisations` SET `customers_seq` = `customers_count`;
