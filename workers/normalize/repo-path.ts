/**
 * A frame's file as a path a repository would know: the scheme and host of a
 * URL (`https://shop.example.com/`, `webpack:///`, `file://`) removed, and the
 * query string, the fragment and a bundler's content hash (`main.3f9a2c.js`
 * → `main.js`) with them, so one file has one name in every browser and
 * every deploy.
 */
export function repoPath(file: string): string {
  return file
    .replace(/^(?:webpack|file|https?):\/\/[^/]*\/?/, "")
    .replace(/[?#].*$/, "")
    .replace(/\.[0-9a-f]{6,}(?=\.(?:m?js|css)$)/, "");
}
