/**
 * One Server-Sent Event as the container writes them and the SDK's
 * parseSSEStream reads them: a single `data:` line of JSON and a blank line.
 * JSON.stringify escapes newlines, so the data never spans lines.
 */
export function sseEvent(event: Record<string, unknown>): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}
