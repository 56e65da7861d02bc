/** @module An API key as the API lists it (never its secret, which only its creation answers), and its OpenAPI schemas. */
import * as z from "zod";
import { TOKEN_SCOPES, type tokens } from "../db/directory-schema";
import { named, timestamp } from "../validation/registry";

export const tokenJson = named(
  "Token",
  z.object({
    id: z.int(),
    name: z.string().meta({ description: "Empty for keys made before keys had names." }),
    scope: z.enum(TOKEN_SCOPES),
    last_four: z.string().nullable().meta({ description: "The secret's last four characters; null for keys made before they were kept.", example: "3f9c" }),
    created_at: timestamp,
    expires_at: timestamp.nullable(),
    last_used_at: timestamp.nullable().meta({ description: "When it last authenticated a request, to the minute (written at most once a minute)." }),
  }),
);

export const createdTokenJson = named(
  "TokenCreated",
  tokenJson.extend({
    token: z.string().meta({ description: "The secret (`enbro_` + 64 hex digits): send it as `Authorization: Bearer …`. Shown only in this answer." }),
  }),
);

export type TokenRow = typeof tokens.$inferSelect;

export function toTokenJson(row: Pick<TokenRow, "id" | "name" | "scope" | "lastFour" | "createdAt" | "expiresAt" | "lastUsedAt">): z.infer<typeof tokenJson> {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    last_four: row.lastFour,
    created_at: row.createdAt,
    expires_at: row.expiresAt,
    last_used_at: row.lastUsedAt,
  };
}
