/**
 * @typedef {object} Order
 * @property {string} id
 * @property {string} customer
 * @property {number} totalCents
 * @property {string} placedAt ISO date
 */

/**
 * One CSV field: quoted when it holds a comma, a quote or a line break.
 *
 * @param {string} value
 * @returns {string}
 */
export function csvField(value) {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * @param {Order[]} orders
 * @returns {string}
 */
export function ordersCsv(orders) {
  const rows = [["order", "customer", "total", "placed_at"]];
  for (const o of orders) {
    rows.push([o.id, o.customer, (o.totalCents / 100).toFixed(2), o.placedAt]);
  }
  return rows.map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/**
 * The file behind "Export orders (CSV)", as the bytes sent for download.
 *
 * @param {Order[]} orders
 * @returns {Buffer}
 */
export function exportOrdersCsv(orders) {
  return Buffer.from(ordersCsv(orders), "latin1");
}
