import { z } from "@hono/zod-openapi";

/**
 * A whole number as a path or query spells it: digits only, no sign, space, leading zero, hex, exponent
 * or fraction. `z.coerce.number()` took `0x10` as 16 and `1e3` as 1000, so one id had many spellings.
 */
export const decimal = (min: number, max?: number) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,14})$/, "应为十进制整数")
    .transform(Number)
    .pipe(max === undefined ? z.number().min(min) : z.number().min(min).max(max))
    .openapi({ type: "integer", minimum: min, ...(max === undefined ? {} : { maximum: max }) });

/** `decimal`, or `fallback` when the query leaves it out. */
export const decimalOr = (fallback: number, min: number, max?: number) => decimal(min, max).default(fallback).openapi({ default: fallback });
