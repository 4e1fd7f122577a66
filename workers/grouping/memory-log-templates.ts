/** In-memory LogTemplateStore for the eval CLI and unit tests. */
import type { LogTemplate, LogTemplateStore } from "./types";

export class MemoryLogTemplateStore implements LogTemplateStore {
  private readonly byProject = new Map<string, Map<string, LogTemplate>>();

  async load(project: string, buckets: string[]): Promise<LogTemplate[]> {
    const wanted = new Set(buckets);
    return [...(this.byProject.get(project)?.values() ?? [])].filter((t) => wanted.has(t.bucket)).map((t) => ({ ...t, tokens: [...t.tokens] }));
  }

  async save(project: string, templates: LogTemplate[]): Promise<void> {
    let mine = this.byProject.get(project);
    if (!mine) this.byProject.set(project, (mine = new Map()));
    for (const t of templates) mine.set(t.id, { ...t, tokens: [...t.tokens] });
  }
}
