CREATE TABLE `api_keys` (
	`key_hash` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`prefix` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `dropped_signals` (
	`project_id` text NOT NULL,
	`id` text NOT NULL,
	`source_product` text NOT NULL,
	`source_type` text NOT NULL,
	`content` text NOT NULL,
	`reason` text NOT NULL,
	`detail` text NOT NULL,
	`classifier` text NOT NULL,
	`score` real NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `id`)
);
--> statement-breakpoint
CREATE TABLE `fingerprints` (
	`project_id` text NOT NULL,
	`fingerprint` text NOT NULL,
	`report_id` text NOT NULL,
	`embedding` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `fingerprint`)
);
--> statement-breakpoint
CREATE TABLE `projects` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`promotion_threshold` real NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `reports` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`state` text NOT NULL,
	`title` text NOT NULL,
	`weight` real NOT NULL,
	`signal_count` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reports_project_state` ON `reports` (`project_id`,`state`);--> statement-breakpoint
CREATE TABLE `signals` (
	`project_id` text NOT NULL,
	`id` text NOT NULL,
	`source_product` text NOT NULL,
	`source_type` text NOT NULL,
	`content` text NOT NULL,
	`weight` real NOT NULL,
	`embedding` text,
	`metadata` text,
	`timestamp` integer,
	`received_at` integer NOT NULL,
	`report_id` text,
	`link_method` text,
	`link_query` text,
	`link_score` real,
	PRIMARY KEY(`project_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `signals_report` ON `signals` (`project_id`,`report_id`);