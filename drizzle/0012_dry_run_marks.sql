CREATE TABLE `dry_run_marks` (
	`total_changes` integer NOT NULL
);
