CREATE TABLE `intake_outbox` (
	`project_id` text NOT NULL,
	`signal_id` text NOT NULL,
	`message` text,
	`accepted_at` integer NOT NULL,
	`enqueued_at` integer NOT NULL,
	`redrives` integer DEFAULT 0 NOT NULL,
	`settled_at` integer,
	`outcome` text,
	PRIMARY KEY(`project_id`, `signal_id`)
);
--> statement-breakpoint
CREATE INDEX `intake_outbox_pending` ON `intake_outbox` (`enqueued_at`) WHERE settled_at IS NULL;--> statement-breakpoint
CREATE INDEX `intake_outbox_project_outcome` ON `intake_outbox` (`project_id`,`outcome`);