ALTER TABLE `projects` ADD `repository_url` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `repository_branch` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `repository_test_command` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `mcp_servers` text;