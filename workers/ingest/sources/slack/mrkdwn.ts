/**
 * Slack message text (mrkdwn) as plain readable text: `<@U1>` → `@U1`,
 * `<#C1|general>` → `#general`, `<!here>` → `@here`, `<https://x|label>` →
 * `label (https://x)`, and the three HTML entities Slack escapes.
 */

function control(inner: string): string {
  const bar = inner.indexOf("|");
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? "" : inner.slice(bar + 1);
  if (target.startsWith("@")) return label ? `@${label.replace(/^@/, "")}` : target;
  if (target.startsWith("#")) return label ? `#${label}` : target;
  if (target.startsWith("!")) {
    if (label) return label;
    const special = target.slice(1).split("^")[0];
    return `@${special}`;
  }
  if (target.startsWith("mailto:")) return label || target.slice(7);
  if (!label || label === target) return target;
  return `${label} (${target})`;
}

export function mrkdwnToText(text: string): string {
  return text
    .replace(/<([^<>\n]+)>/g, (_, inner: string) => control(inner))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
