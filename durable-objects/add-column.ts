/**
 * A column added to a Durable Object's SQLite table after objects were
 * created with the older layout: `ALTER TABLE … ADD` once, when the column is
 * not there yet (`CREATE TABLE IF NOT EXISTS` leaves an existing table as it is).
 */
export function addColumnIfMissing(sql: SqlStorage, table: string, column: string, definition: string): void {
  const columns = sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray();
  if (!columns.some((c) => c.name === column)) sql.exec(`ALTER TABLE ${table} ADD ${column} ${definition}`);
}
