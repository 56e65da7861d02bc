-- Domains were not unique before: a later organisation that shares its domain with an earlier one gets `-<id>` appended, so the index can be built.
UPDATE `organisations` SET `domain` = `domain` || '-' || `id` WHERE `id` NOT IN (SELECT min(`id`) FROM `organisations` GROUP BY `domain`);--> statement-breakpoint
CREATE UNIQUE INDEX `organisations_domain_unique` ON `organisations` (`domain`);
