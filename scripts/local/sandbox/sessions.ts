/**
 * Sessions as the container keeps them: an id with a working directory, an
 * environment and a default command timeout, per sandbox. A command naming an
 * unknown session gets a fresh default one (cwd /workspace), as the SDK's
 * default session does.
 */
import { SandboxHttpError } from "./errors";
import { CONTAINER_WORKSPACE } from "./paths";

export interface Session {
  id: string;
  cwd: string;
  env: Record<string, string>;
  commandTimeoutMs?: number;
}

const MAX_SESSIONS = 1000;

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  create(s: Session): Session {
    if (this.sessions.has(s.id)) {
      throw new SandboxHttpError("SESSION_ALREADY_EXISTS", "session_exists", `session ${s.id} already exists`, { sessionId: s.id });
    }
    if (this.sessions.size >= MAX_SESSIONS) {
      throw new SandboxHttpError("VALIDATION_FAILED", "too_many_sessions", `at most ${MAX_SESSIONS} sessions per sandbox`, {}, 429);
    }
    this.sessions.set(s.id, s);
    return s;
  }

  get(id: string | undefined): Session {
    const key = id ?? "default";
    let s = this.sessions.get(key);
    if (!s) {
      s = { id: key, cwd: CONTAINER_WORKSPACE, env: {} };
      if (this.sessions.size < MAX_SESSIONS) this.sessions.set(key, s);
    }
    return s;
  }

  delete(id: string): boolean {
    return this.sessions.delete(id);
  }
}
