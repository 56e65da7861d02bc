/** D1 read replication through the Sessions API: bookmarks out, bookmarks in, read-your-writes. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { allShards, call, createOrganisation, customerBody, json } from "../helpers";

describe("x-d1-bookmark", () => {
  it("comes with every answer that touched D1, and a write's bookmark makes the next read see the write", async () => {
    const org = await createOrganisation();
    const created = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody() });
    expect(created.status).toBe(201);
    const bookmark = created.headers.get("x-d1-bookmark");
    expect(bookmark).toBeTruthy();
    const { id } = await json(created);

    const read = await call("GET", `/api/v1/customers/${id}`, { token: org.token, headers: { "x-d1-bookmark": bookmark! } });
    expect(read.status).toBe(200);
    expect((await json(read)).id).toBe(id);
    // A session never goes back in time: the read's bookmark is at least the write's.
    expect(read.headers.get("x-d1-bookmark")! >= bookmark!).toBe(true);
  });

  it("starts reads unconstrained and writes at the primary when no bookmark is sent", async () => {
    const seen: string[] = [];
    const spying = {
      ...env,
      ...Object.fromEntries(
        allShards().map((shard, index) => [
          `SHARD_${index}`,
          new Proxy(shard, {
            get(target, prop) {
              if (prop === "withSession") {
                return (constraint: string) => {
                  seen.push(constraint);
                  return target.withSession(constraint);
                };
              }
              const value = Reflect.get(target, prop);
              return typeof value === "function" ? value.bind(target) : value;
            },
          }),
        ]),
      ),
    };
    const org = await createOrganisation();
    await call("GET", "/api/v1/me", { token: org.token, env: spying });
    await call("POST", "/api/v1/customers", { token: org.token, body: customerBody(), env: spying });
    await call("GET", "/api/v1/me", { token: org.token, env: spying, headers: { "x-d1-bookmark": "not a bookmark" } });
    const bookmark = "0000000b-00000003-00004f6d-89b3d3dbc5f0bd6e8bdd3c9a72bb6ec3";
    await call("GET", "/api/v1/me", { token: org.token, env: spying, headers: { "x-d1-bookmark": bookmark } });
    expect(seen).toEqual(["first-unconstrained", "first-primary", "first-unconstrained", bookmark]);
  });
});
