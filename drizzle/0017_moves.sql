CREATE TABLE `write_guard` (
	`open` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `organisations` ADD `moving` integer DEFAULT 0 NOT NULL;