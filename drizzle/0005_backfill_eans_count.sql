-- Customers created before eans_count existed: count their EANs once.
UPDATE `customers` SET `eans_count` = (SELECT count(*) FROM `eans` WHERE `eans`.`customer_id` = `customers`.`id`);
