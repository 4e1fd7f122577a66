/** What the workspaces API accepts as a workspace name. */
export const WORKSPACE_NAME = /^[a-z0-9-]+$/;

/**
 * The URL-safe name for a workspace: accents dropped, lower case, runs of
 * anything else turned into one dash.
 *
 * @param {string} displayName
 * @returns {string}
 */
export function workspaceSlug(displayName) {
  return displayName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 48);
}

/**
 * @typedef {{ post(path: string, body: unknown): Promise<{ status: number, body: any }> }} ApiClient
 */

/**
 * Creates the workspace chosen on step 2 of onboarding.
 *
 * @param {ApiClient} api
 * @param {string} displayName what the user typed
 * @returns {Promise<{ id: string, name: string, display_name: string }>}
 */
export async function createWorkspace(api, displayName) {
  const res = await api.post("/workspaces", { name: displayName.trim(), display_name: displayName.trim() });
  if (res.status !== 201) {
    throw new Error(`Request failed with status code ${res.status}`);
  }
  return res.body;
}
