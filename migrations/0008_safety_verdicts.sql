CREATE TABLE `safety_verdicts` (
	`project_id` text NOT NULL,
	`signal_id` text NOT NULL,
	`source_product` text NOT NULL,
	`source_type` text NOT NULL,
	`content` text NOT NULL,
	`verdict` text NOT NULL,
	`reason_code` text NOT NULL,
	`confidence` real NOT NULL,
	`rules_score` real NOT NULL,
	`learned` real NOT NULL,
	`judge` text NOT NULL,
	`judged_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `signal_id`)
);
--> statement-breakpoint
CREATE INDEX `safety_verdicts_time` ON `safety_verdicts` (`project_id`,`judged_at`);