/**
 * Errors in the container's wire shape (the SDK's ErrorResponse: code, message,
 * context, httpStatus, timestamp), so `SandboxClient` turns them into the same
 * typed errors it raises against a real container. Every error also names a
 * machine-readable `context.reason` (path_outside_workspace, body_too_large, …).
 */
export type ErrorCode =
  | "FILE_NOT_FOUND"
  | "FILE_EXISTS"
  | "IS_DIRECTORY"
  | "NOT_DIRECTORY"
  | "FILE_TOO_LARGE"
  | "PERMISSION_DENIED"
  | "FILESYSTEM_ERROR"
  | "VALIDATION_FAILED"
  | "INVALID_COMMAND"
  | "COMMAND_EXECUTION_ERROR"
  | "SESSION_ALREADY_EXISTS"
  | "INVALID_GIT_URL"
  | "GIT_REPOSITORY_NOT_FOUND"
  | "GIT_BRANCH_NOT_FOUND"
  | "GIT_CLONE_FAILED"
  | "GIT_PUSH_FAILED"
  | "UNKNOWN_ERROR"
  | "INTERNAL_ERROR";

const STATUS: Record<ErrorCode, number> = {
  FILE_NOT_FOUND: 404,
  FILE_EXISTS: 409,
  IS_DIRECTORY: 400,
  NOT_DIRECTORY: 400,
  FILE_TOO_LARGE: 413,
  PERMISSION_DENIED: 403,
  FILESYSTEM_ERROR: 500,
  VALIDATION_FAILED: 400,
  INVALID_COMMAND: 400,
  COMMAND_EXECUTION_ERROR: 500,
  SESSION_ALREADY_EXISTS: 409,
  INVALID_GIT_URL: 400,
  GIT_REPOSITORY_NOT_FOUND: 404,
  GIT_BRANCH_NOT_FOUND: 404,
  GIT_CLONE_FAILED: 500,
  GIT_PUSH_FAILED: 502,
  UNKNOWN_ERROR: 404,
  INTERNAL_ERROR: 500,
};

export class SandboxHttpError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly reason: string,
    message: string,
    readonly context: Record<string, unknown> = {},
    readonly status: number = STATUS[code],
  ) {
    super(message);
  }
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  context: Record<string, unknown> & { reason: string };
  httpStatus: number;
  timestamp: string;
}

export function errorBody(e: SandboxHttpError): ErrorBody {
  return {
    code: e.code,
    message: e.message,
    context: { ...e.context, reason: e.reason },
    httpStatus: e.status,
    timestamp: new Date().toISOString(),
  };
}

/** A filesystem error from node:fs as the container would name it. */
export function fromFsError(err: unknown, path: string): SandboxHttpError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case "ENOENT":
      return new SandboxHttpError("FILE_NOT_FOUND", "not_found", `no such file or directory: ${path}`, { path });
    case "EEXIST":
      return new SandboxHttpError("FILE_EXISTS", "exists", `already exists: ${path}`, { path });
    case "EISDIR":
      return new SandboxHttpError("IS_DIRECTORY", "is_directory", `is a directory: ${path}`, { path });
    case "ENOTDIR":
      return new SandboxHttpError("NOT_DIRECTORY", "not_directory", `not a directory: ${path}`, { path });
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return new SandboxHttpError("PERMISSION_DENIED", "permission_denied", `permission denied: ${path}`, { path });
    case "ENOTEMPTY":
      return new SandboxHttpError("FILESYSTEM_ERROR", "not_empty", `directory not empty: ${path}`, { path }, 409);
    default:
      return new SandboxHttpError("FILESYSTEM_ERROR", "filesystem_error", `${code ?? "error"} on ${path}`, { path });
  }
}
