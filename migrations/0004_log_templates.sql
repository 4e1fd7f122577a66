CREATE TABLE `log_templates` (
	`project_id` text NOT NULL,
	`id` text NOT NULL,
	`bucket` text NOT NULL,
	`tokens` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `log_templates_bucket` ON `log_templates` (`project_id`,`bucket`);