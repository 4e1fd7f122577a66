CREATE TABLE `grouping_corrections` (
	`project_id` text NOT NULL,
	`id` text NOT NULL,
	`kind` text NOT NULL,
	`signal_id` text,
	`from_report_id` text NOT NULL,
	`to_report_id` text NOT NULL,
	`vector` text,
	`note` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `grouping_corrections_from` ON `grouping_corrections` (`project_id`,`from_report_id`);--> statement-breakpoint
CREATE TABLE `recent_vectors` (
	`project_id` text NOT NULL,
	`id` text NOT NULL,
	`report_id` text NOT NULL,
	`fingerprint` text,
	`failure` text,
	`vector` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `recent_vectors_age` ON `recent_vectors` (`project_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `report_redirects` (
	`project_id` text NOT NULL,
	`from_report_id` text NOT NULL,
	`to_report_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `from_report_id`)
);
--> statement-breakpoint
ALTER TABLE `signals` ADD `link_judge` text;--> statement-breakpoint
ALTER TABLE `signals` ADD `fingerprint` text;