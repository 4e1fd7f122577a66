/**
 * Review bots a project trusts (PATCH /v1/project `review_bots`): their pull
 * request comments count as a trusted reviewer's in babysitting
 * (fix/babysit.ts), like the repository's owner, members and collaborators.
 * A reviewing agent's comments are a main trigger of a fix round; any other
 * bot or stranger is shown, never obeyed. The deployment's FIX_TRUSTED_BOTS
 * (fix/from-env.ts) add to every project's list.
 */

/** a GitHub login, optionally a bot's (`name[bot]`); anchored single classes: linear */
export const BOT_LOGIN = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}(\[bot\])?$/;

/** the stored JSON list (lower case), [] when unset or unreadable */
export function storedReviewBots(json: string | null | undefined): string[] {
  if (!json) return [];
  try {
    const list = JSON.parse(json) as unknown;
    return Array.isArray(list) ? list.filter((l): l is string => typeof l === "string" && BOT_LOGIN.test(l)).map((l) => l.toLowerCase()) : [];
  } catch {
    return [];
  }
}
