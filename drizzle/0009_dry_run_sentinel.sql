CREATE TABLE `dry_run_sentinel` (
	`changed` integer NOT NULL,
	`unchanged` integer NOT NULL
);
