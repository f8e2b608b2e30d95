// drizzle-kit reads the schema and writes SQL migrations into the repository's drizzle/ folder.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./packages/db/src/schema/index.ts",
  out: "./drizzle",
});
