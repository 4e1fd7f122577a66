import assert from "node:assert/strict";
import { test } from "node:test";
import { csvField, exportOrdersCsv, ordersCsv } from "../src/reports/export.js";

const orders = [
  { id: "o-1001", customer: "José Álvarez", totalCents: 1699, placedAt: "2026-11-30" },
  { id: "o-1002", customer: "Zoë \"Z\" Brontë, Ltd", totalCents: 4250, placedAt: "2026-12-01" },
];

test("fields with commas or quotes are quoted", () => {
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField('a "b", c'), '"a ""b"", c"');
  assert.equal(ordersCsv([]), "order,customer,total,placed_at\r\n");
});

test("the CSV export is UTF-8 with a BOM, so accented names survive", { todo: "known bug: accented names are garbled in the CSV export" }, () => {
  const bytes = exportOrdersCsv(orders);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(3));
  assert.equal(text, ordersCsv(orders));
  assert.ok(text.includes("José Álvarez"));
});
