import assert from "node:assert/strict";
import { test } from "node:test";
import { numberPlaceholders } from "./placeholders.ts";

test("numbers ? placeholders in order", () => {
  assert.equal(
    numberPlaceholders("INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"),
    "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)",
  );
  assert.equal(numberPlaceholders("SELECT 1"), "SELECT 1");
});

test("leaves ? inside strings, quoted identifiers, dollar quotes and comments", () => {
  const sql = `SELECT '?', 'it''s ?', "col?", $$?$$, $tag$ ? $tag$ -- ? here
    , ? /* ? */ , ?`;
  assert.equal(
    numberPlaceholders(sql),
    `SELECT '?', 'it''s ?', "col?", $$?$$, $tag$ ? $tag$ -- ? here
    , $1 /* ? */ , $2`,
  );
});

test("a numbered parameter already in the text is not a dollar quote", () => {
  assert.equal(numberPlaceholders("SELECT ?, $1"), "SELECT $1, $1");
});
