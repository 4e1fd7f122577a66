CREATE TABLE `dead_letters` (
	`message_id` text PRIMARY KEY NOT NULL,
	`project_id` text,
	`signal_id` text,
	`reason` text NOT NULL,
	`detail` text NOT NULL,
	`body` text NOT NULL,
	`attempts` integer NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dead_letters_signal` ON `dead_letters` (`project_id`,`signal_id`);--> statement-breakpoint
CREATE TABLE `forge_events` (
	`project_id` text NOT NULL,
	`delivery_id` text NOT NULL,
	`event` text NOT NULL,
	`action` text,
	`repository` text,
	`pull_request` integer,
	`head_sha` text,
	`outcome` text,
	`summary` text NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `delivery_id`)
);
--> statement-breakpoint
ALTER TABLE `projects` ADD `slack_signing_secret` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `github_webhook_secret` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `posthog_signal_events` text;--> statement-breakpoint
ALTER TABLE `signals` ADD `triage` text;--> statement-breakpoint
ALTER TABLE `signals` ADD `triage_reason` text;