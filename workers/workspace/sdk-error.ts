/**
 * An error the Sandbox SDK threw, as a WorkspaceError. The SDK's SandboxError
 * carries the container's ErrorResponse (code, context, httpStatus); the
 * local service adds `context.reason`. Without them (a network failure, an
 * error that crossed a Durable Object RPC boundary) the reason is
 * sandbox_unreachable or sandbox_error.
 */
import { WorkspaceError } from "./workspace";

const BY_CODE: Record<string, string> = {
  FILE_NOT_FOUND: "not_found",
  FILE_EXISTS: "exists",
  IS_DIRECTORY: "is_directory",
  NOT_DIRECTORY: "not_directory",
  FILE_TOO_LARGE: "file_too_large",
  PERMISSION_DENIED: "permission_denied",
  INVALID_GIT_URL: "git_url_not_allowed",
  GIT_REPOSITORY_NOT_FOUND: "git_repository_not_found",
  GIT_BRANCH_NOT_FOUND: "git_branch_not_found",
  GIT_CLONE_FAILED: "git_clone_failed",
  GIT_AUTH_FAILED: "git_auth_failed",
  GIT_NETWORK_ERROR: "git_network_error",
  VALIDATION_FAILED: "invalid_request",
  COMMAND_EXECUTION_ERROR: "command_failed",
  BACKUP_NOT_FOUND: "backup_not_found",
  BACKUP_EXPIRED: "backup_expired",
  BACKUP_CREATE_FAILED: "backup_create_failed",
  BACKUP_RESTORE_FAILED: "backup_restore_failed",
  INVALID_BACKUP_CONFIG: "invalid_backup",
};

export function toWorkspaceError(e: unknown): WorkspaceError {
  if (e instanceof WorkspaceError) return e;
  const err = e as { code?: unknown; context?: unknown; httpStatus?: unknown; message?: unknown } | null;
  const message = typeof err?.message === "string" ? err.message : String(e);
  const code = typeof err?.code === "string" ? err.code : undefined;
  const context = err?.context && typeof err.context === "object" ? (err.context as Record<string, unknown>) : {};
  const status = typeof err?.httpStatus === "number" ? err.httpStatus : 0;
  if (typeof context.reason === "string") return new WorkspaceError(context.reason, message, status);
  if (code && BY_CODE[code]) return new WorkspaceError(BY_CODE[code], message, status);
  if (e instanceof TypeError || /fetch failed|network connection|ECONNREFUSED|connect/i.test(message.slice(0, 500))) {
    return new WorkspaceError("sandbox_unreachable", message, status);
  }
  return new WorkspaceError("sandbox_error", message, status);
}
