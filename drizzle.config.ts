/** @module drizzle-kit configuration of the shards: their SQL migrations go to drizzle/ (their migrations_dir); the directory's: drizzle.directory.config.ts. */
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/domain/db/schema.ts",
  out: "./drizzle",
});
