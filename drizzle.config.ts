/** @module drizzle-kit configuration: SQL migrations for D1 are generated into drizzle/ (wrangler's migrations_dir). */
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/domain/db/schema.ts",
  out: "./drizzle",
});
