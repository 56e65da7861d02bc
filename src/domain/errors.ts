/**
 * @module The error catalogue: every error the API answers, in one place.
 *
 * Handlers, validation and auth throw `ApiError`; `app.onError` shapes it once
 * (see `errorResponse`). Bodies follow the contract byte for byte.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import * as z from "zod";
import { MAX_BODY_TEXT } from "./limits";
import { named } from "./validation/registry";

/** One row of the contract's error catalogue (dry-validation ids and messages). */
const CATALOGUE = {
  is_missing: "is missing",
  must_be_filled: "must be filled",
  must_be_a_string: "must be a string",
  must_be_boolean: "must be boolean",
  must_be_an_integer: "must be an integer",
  must_be_a_decimal: "must be a decimal",
  must_be_a_date: "must be a date",
  must_be_one_of: "must be one of",
  is_in_invalid_format: "is in invalid format",
  must_be_true: "must be true",
  size_cannot_be_greater_than: "size cannot be greater than",
  must_be_greater_than_or_equal_to: "must be greater than or equal to",
  must_be_in_the_past: "must be in the past",
  must_be_a_hash: "must be a hash",
  must_be_an_array: "must be an array",
  cannot_be_empty: "cannot be empty",
  must_exist: "must exist",
  confirmed_email_has_already_been_taken: "it is already registered",
  has_already_been_taken: "has already been taken",
  has_already_been_added_to_customer: "has already been added to customer",
  too_many_eans: "a customer holds at most {detail} EANs",
  too_many_customers: "an organisation creates at most {detail} customers",
  cannot_be_changed: "cannot be changed",
  cannot_transition: "cannot change from {detail}",
  is_not_supported: "is not supported by this endpoint",
  must_be_a_date_time: "must be a date-time",
  must_be_in_the_future: "must be in the future",
  must_be_within_days: "must be within {detail} days from now",
  is_the_last_write_key: "is the organisation's last write key",
  is_disabled: "is disabled",
} as const;

export type ErrorCode = keyof typeof CATALOGUE;

/** Errors whose `type` is "custom" in the docs; every other catalogue row is "params". */
const CUSTOM_TYPED: ReadonlySet<ErrorCode> = new Set(["confirmed_email_has_already_been_taken", "too_many_eans", "too_many_customers"]);

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(CATALOGUE, value);
}

/** One entry of an `errors` array. Key order is the contract's. */
export interface FieldError {
  path: string;
  error: string;
  message: string;
  type: "params" | "custom";
  index?: number;
}

/**
 * Builds one catalogue entry. `detail` completes the parametrised messages:
 * `must be one of: mr, mrs`, `size cannot be greater than 255`,
 * `must be greater than or equal to 0`.
 */
export function fieldError(path: string, code: ErrorCode, detail?: string | number, index?: number): FieldError {
  const base: string = CATALOGUE[code];
  const message =
    detail === undefined
      ? base
      : base.includes("{detail}")
        ? base.replace("{detail}", String(detail))
        : code === "must_be_one_of"
          ? `${base}: ${detail}`
          : `${base} ${detail}`;
  const entry: FieldError = { path, error: code, message, type: CUSTOM_TYPED.has(code) ? "custom" : "params" };
  if (index !== undefined) entry.index = index;
  return entry;
}

/** Errors that are not field validation: each has a fixed status and body. */
const REQUEST_ERRORS = {
  not_authenticated: { status: 401, message: "not authenticated" },
  not_found: { status: 404, message: "Not found" },
  method_not_allowed: { status: 405, message: "Method not allowed" },
  malformed_json: { status: 400, message: "is not valid JSON" },
  payload_too_large: { status: 413, message: `is larger than ${MAX_BODY_TEXT}` },
  unsupported_media_type: { status: 415, message: "must be application/json" },
  idempotency_key_reused: { status: 422, message: "was used with another request" },
  idempotency_key_in_use: { status: 409, message: "is in use by a request still running" },
  insufficient_scope: { status: 403, message: "needs a key with the write scope" },
  rate_limited: { status: 429, message: "too many requests" },
  organisation_moving: { status: 503, message: "is moving to another database; retry shortly" },
  internal_error: { status: 500, message: "internal server error" },
} as const;

export type RequestErrorCode = keyof typeof REQUEST_ERRORS;

/** The body of every 401, byte for byte the original API's. */
export const UNAUTHENTICATED_BODY = {
  status: "error",
  errors: [{ error: "not_authenticated", message: "not authenticated", path: "request", type: "custom" }],
  payload: {},
} as const;

/** The 401 challenge (RFC 9110 §11.6.1 requires one; RFC 6750 gives the form). */
export const AUTHENTICATE_CHALLENGE = 'Bearer realm="enbro"';

/** The one error type thrown by auth, validation and handlers. */
export class ApiError extends Error {
  override readonly name = "ApiError";

  private constructor(
    readonly status: ContentfulStatusCode,
    readonly code: RequestErrorCode | "validation_failed",
    readonly errors: FieldError[] = [],
    /** Headers the answer carries besides the usual ones (Retry-After, Allow, WWW-Authenticate). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code);
  }

  static request(code: RequestErrorCode): ApiError {
    return new ApiError(REQUEST_ERRORS[code].status, code);
  }

  static notFound(): ApiError {
    return ApiError.request("not_found");
  }

  static unauthenticated(): ApiError {
    return new ApiError(401, "not_authenticated", [], { "WWW-Authenticate": AUTHENTICATE_CHALLENGE });
  }

  /** 405: the path exists, with other methods (`allowed`). */
  static methodNotAllowed(allowed: readonly string[]): ApiError {
    return new ApiError(405, "method_not_allowed", [], { Allow: allowed.join(", ") });
  }

  /** 503: the organisation's data is being moved between shards; writes resume after the move. */
  static moving(retryAfterSeconds: number): ApiError {
    return new ApiError(503, "organisation_moving", [], { "Retry-After": String(retryAfterSeconds) });
  }

  /** 403: a `read` key sent a write (RFC 6750's challenge names the scope it needs). */
  static insufficientScope(): ApiError {
    return new ApiError(403, "insufficient_scope", [], {
      "WWW-Authenticate": `${AUTHENTICATE_CHALLENGE}, error="insufficient_scope", scope="write"`,
    });
  }

  static rateLimited(retryAfterSeconds: number): ApiError {
    return new ApiError(429, "rate_limited", [], { "Retry-After": String(retryAfterSeconds) });
  }

  /** 422 with every error of the request. */
  static validation(errors: FieldError[]): ApiError {
    return new ApiError(422, "validation_failed", errors);
  }
}

/**
 * The body for an error. 401 and 404 are the fixed bodies of the original API;
 * the rest carry an `errors` array in the 422 shape, `path` "request".
 */
export function errorBody(error: ApiError, requestId?: string): unknown {
  switch (error.code) {
    case "not_found":
    case "method_not_allowed":
      return REQUEST_ERRORS[error.code].message;
    case "not_authenticated":
      return UNAUTHENTICATED_BODY;
    case "validation_failed":
      return { errors: error.errors };
    default: {
      const entry: Record<string, unknown> = {
        path: "request",
        error: error.code,
        message: REQUEST_ERRORS[error.code].message,
        type: "custom",
      };
      if (error.code === "internal_error" && requestId) entry.request_id = requestId;
      return { errors: [entry] };
    }
  }
}

/** OpenAPI: the `errors` body (400, 403, 409, 413, 415, 422, 429, 500, 503). */
export const errorsJson = named(
  "Errors",
  z.object({
    errors: z.array(
      z.object({
        path: z.string().meta({ description: "Dotted path of the field as sent (`customer.profile.first_name`), or `request`." }),
        error: z.string().meta({ description: "Catalogue id, e.g. `must_be_filled`." }),
        message: z.string(),
        type: z.enum(["params", "custom"]),
        index: z.int().optional().meta({ description: "Bulk requests: the 0-based position of the item in `eans`." }),
        request_id: z.string().optional().meta({ description: "500 only: the request's X-Request-Id." }),
      }),
    ),
  }),
);

/** OpenAPI: the fixed 401 body. */
export const unauthenticatedJson = named(
  "NotAuthenticated",
  z.object({
    status: z.literal("error"),
    errors: z.array(
      z.object({ error: z.literal("not_authenticated"), message: z.literal("not authenticated"), path: z.literal("request"), type: z.literal("custom") }),
    ),
    payload: z.object({}),
  }),
);

/** OpenAPI: the 404 body, a JSON string. */
export const notFoundJson = named("NotFound", z.literal("Not found"));
