CREATE TABLE `fix_pulls` (
	`project_id` text NOT NULL,
	`repository` text NOT NULL,
	`number` integer NOT NULL,
	`report_id` text NOT NULL,
	`opened_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `repository`, `number`)
);
