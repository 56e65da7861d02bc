import { describe, expect, it } from "vitest";
import { allRows, call, countRows, createCustomer, createOrganisation, customerBody, eanFields, eanNumber, json } from "../helpers";

function statusCounts(responses: Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const response of responses) counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
}

describe("races", () => {
  it("20 creates with one e-mail: exactly one 201, nineteen 422, one row", async () => {
    const orgs = [await createOrganisation(), await createOrganisation()];
    const email = `race-${crypto.randomUUID()}@example.com`;
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call("POST", "/api/v1/customers", { token: orgs[i % 2]!.token, body: customerBody({ email: i % 3 ? email : email.toUpperCase() }) }),
      ),
    );
    expect(statusCounts(responses)).toEqual({ 201: 1, 422: 19 });
    for (const response of responses.filter((r) => r.status === 422)) {
      expect(await json(response)).toEqual({
        errors: [{ path: "customer.email", error: "confirmed_email_has_already_been_taken", message: "it is already registered", type: "custom" }],
      });
    }
    expect(await countRows("customers", "lower(email) = ?", email)).toBe(1);
  });

  it("20 creates of one EAN number on different customers: exactly one 201, nineteen 422, one row", async () => {
    const org = await createOrganisation();
    const customers = await Promise.all(Array.from({ length: 20 }, () => createCustomer(org)));
    const number = eanNumber();
    const responses = await Promise.all(
      customers.map((customer) => call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields({ number }) } })),
    );
    expect(statusCounts(responses)).toEqual({ 201: 1, 422: 19 });
    for (const response of responses.filter((r) => r.status === 422)) {
      expect(await json(response)).toEqual({
        errors: [{ path: "ean.number", error: "has_already_been_taken", message: "has already been taken", type: "params" }],
      });
    }
    expect(await countRows("eans", "number = ?", number)).toBe(1);
  });

  it("overlapping bulks: each is stored whole or not at all", async () => {
    const org = await createOrganisation();
    const pool = Array.from({ length: 12 }, () => eanNumber());
    const bulks = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => ({
        customer: await createCustomer(org),
        numbers: [pool[i]!, pool[i + 1]!, pool[i + 2]!],
      })),
    );
    const responses = await Promise.all(
      bulks.map(({ customer, numbers }) =>
        call("POST", `/api/v1/customers/${customer.id}/eans/bulk`, {
          token: org.token,
          body: { eans: numbers.map((number) => ({ ean: eanFields({ number }) })) },
        }),
      ),
    );
    expect(responses.every((r) => r.status === 201 || r.status === 422)).toBe(true);
    expect(responses.some((r) => r.status === 201)).toBe(true);
    for (const [i, { customer, numbers }] of bulks.entries()) {
      const stored = await allRows<{ number: string }>("select number from eans where customer_id = ? order by id", customer.id);
      const storedNumbers = stored.map((r) => r.number);
      expect(storedNumbers, `bulk ${i}`).toEqual(responses[i]!.status === 201 ? numbers : []);
    }
    const numbers = (await allRows<{ number: string }>("select number from eans")).map((r) => r.number);
    expect(numbers.length).toBe(new Set(numbers).size);
  });
});
