/**
 * @module A resource's rendering, written once: an ordered map from each JSON
 * key to how it is read — from a row in JavaScript (the API's answers) and
 * from a table alias in SQL (the events a batch renders for itself). One new
 * field is one edit, and both renderings follow (test/unit/rendering.test.ts
 * and the events tests hold the two to each other).
 */

/** One JSON key's value: from a row (and what rendering it needs beside it), and as SQL over a table alias. */
export interface Field<Row, Context = undefined> {
  js(row: Row, context: Context): unknown;
  sql(alias: string): string;
}

export type Fields<Row, Context = undefined> = ReadonlyArray<readonly [key: string, field: Field<Row, Context>]>;

/** A column read as stored. */
export function column<Row>(property: keyof Row & string, name: string): Field<Row, any> {
  return { js: (row) => row[property], sql: (alias) => `${alias}.${name}` };
}

/** A boolean column (stored 0/1): a JSON true or false. */
export function booleanColumn<Row>(property: keyof Row & string, name: string): Field<Row, any> {
  return { js: (row) => row[property], sql: (alias) => `json(case when ${alias}.${name} then 'true' else 'false' end)` };
}

/** A JSON text column: its value, not its text. */
export function jsonColumn<Row>(property: keyof Row & string, name: string): Field<Row, any> {
  return { js: (row) => row[property], sql: (alias) => `json(${alias}.${name})` };
}

/** A nested object of the same row. */
export function nested<Row, Context>(fields: Fields<Row, Context>): Field<Row, Context> {
  return { js: (row, context) => render(fields, row, context), sql: (alias) => sqlObject(fields, alias) };
}

/** The JSON object of `row`, keys in the map's order. */
export function render<Row, Context>(fields: Fields<Row, Context>, row: Row, context: Context): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const [key, field] of fields) json[key] = field.js(row, context);
  return json;
}

/** The same object as SQLite's `json_object(…)` over the row `alias`. */
export function sqlObject<Row, Context>(fields: Fields<Row, Context>, alias: string): string {
  return `json_object(${fields.map(([key, field]) => `'${key}', ${field.sql(alias)}`).join(", ")})`;
}
