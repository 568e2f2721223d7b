WITH
"l_rows" AS (
  SELECT "order_id" AS "k__order_id", "order_line_no" AS "k__line_no", "amount", "currency", "invoice_id", "line_no", "order_id", "qty", CAST("invoiced_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM "erp"."invoice_lines" AS t
),
"r_rows" AS (
  SELECT "order_id" AS "k__order_id", "line_no" AS "k__line_no", "site", "unit_price", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM "erp"."order_lines" AS t
),
"l_side" AS (
  SELECT *, TRUE AS "_here"
  FROM "l_rows"
),
"r_side" AS (
  SELECT *, TRUE AS "_here"
  FROM "r_rows"
),
"pairs" AS (
  SELECT *, ((("l__amount") IS NULL AND ("l__qty" * "r__unit_price") IS NULL) OR (("l__amount") IS NOT NULL AND ("l__qty" * "r__unit_price") IS NOT NULL AND (abs(("l__amount") - ("l__qty" * "r__unit_price")) <= 0.01))) AS "_ok0" FROM (
  SELECT coalesce(l."k__order_id", r."k__order_id") AS "k__order_id", coalesce(l."k__line_no", r."k__line_no") AS "k__line_no", l."amount" AS "l__amount", l."currency" AS "l__currency", l."invoice_id" AS "l__invoice_id", l."line_no" AS "l__line_no", l."order_id" AS "l__order_id", l."qty" AS "l__qty", l."_event" AS "l___event", l."_here" AS "l___here", l."_row" AS "l___row", r."site" AS "r__site", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", r."_row" AS "r___row", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__order_id" IS NOT DISTINCT FROM r."k__order_id" AND l."k__line_no" IS NOT DISTINCT FROM r."k__line_no"
  ) AS p
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", bool_and("l___here" IS NOT NULL AND "r___here" IS NOT NULL AND "_ok0") AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL
  GROUP BY "k__order_id", "k__line_no"
) AS checked
