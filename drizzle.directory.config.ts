/** @module drizzle-kit configuration of the directory database: its migrations go to drizzle/directory/ (its migrations_dir). */
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/domain/db/directory-schema.ts",
  out: "./drizzle/directory",
});
