/** PLACEHOLDER until the project settings land: no project has a repository yet. */
import type { RepositorySettings } from "./checkout";
export async function projectRepository(_env: unknown, _project: string): Promise<RepositorySettings | null> {
  return null;
}
