CREATE TABLE `triage_corrections` (
	`project_id` text NOT NULL,
	`signal_id` text NOT NULL,
	`reason` text,
	`note` text,
	`at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `signal_id`)
);
--> statement-breakpoint
CREATE INDEX `signals_triage` ON `signals` (`project_id`,`triage`,`received_at`);