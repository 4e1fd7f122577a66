/**
 * @typedef {{ sku: string, name: string }} Product
 * @typedef {Map<string, Set<string>>} SearchIndex term → skus
 */

/**
 * Lower-cased words of a text.
 *
 * @param {string} text
 * @returns {string[]}
 */
export function tokenize(text) {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/**
 * English plural → singular, enough for product names: "shoes" → "shoe",
 * "batteries" → "battery", "boxes" → "box", "glass" stays "glass".
 *
 * @param {string} word
 * @returns {string}
 */
export function stem(word) {
  if (word.length > 4 && word.endsWith("ies")) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(?:ch|sh|x|z|ss)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith("s") && !word.endsWith("ss") && !word.endsWith("us")) return word.slice(0, -1);
  return word;
}

/**
 * @param {string} text
 * @returns {string[]}
 */
export function terms(text) {
  return tokenize(text).map(stem);
}

/**
 * @param {Product[]} products
 * @returns {SearchIndex}
 */
export function buildIndex(products) {
  /** @type {SearchIndex} */
  const index = new Map();
  for (const product of products) {
    for (const term of terms(product.name)) {
      let skus = index.get(term);
      if (!skus) index.set(term, (skus = new Set()));
      skus.add(product.sku);
    }
  }
  return index;
}

/**
 * Skus of the products whose names contain every word of the query.
 *
 * @param {SearchIndex} index
 * @param {string} query
 * @returns {string[]}
 */
export function search(index, query) {
  const wanted = tokenize(query);
  if (wanted.length === 0) return [];
  let result = null;
  for (const term of wanted) {
    const skus = index.get(term) ?? new Set();
    result = result === null ? new Set(skus) : new Set([...result].filter((sku) => skus.has(sku)));
  }
  return [...(result ?? [])].sort();
}
