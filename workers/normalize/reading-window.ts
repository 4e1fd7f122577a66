/**
 * How much of a signal's content the stages that decide what it is *about*
 * read: the query writer, the fingerprints, the offline embedder, triage and
 * the evidence summary. The message, the exception and its top frames, the
 * opening of a ticket are all in the first 16 KiB; what follows is more of the
 * same (a long stack, a pasted log), and Workers AI's embedding model reads only
 * its first 512 tokens anyway. Reading a fixed window keeps each of those stages
 * at a bounded cost per signal, whatever its length (intake allows 64 KiB).
 * Safety is the exception: it reads every character, since an injection can
 * hide at the end.
 */
export const ABOUT_CHARS = 16 * 1024;

/** The first `max` UTF-16 units of `text`, never ending on half a surrogate pair. */
export function head(text: string, max = ABOUT_CHARS): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
