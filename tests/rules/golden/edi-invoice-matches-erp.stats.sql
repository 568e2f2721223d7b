WITH
"l_rows" AS (
  SELECT "invoice_id" AS "k__invoice_id", "line_no" AS "k__line_no", "amount", "qty", CAST("invoiced_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM "edi"."invoice_lines" AS t
),
"r_rows" AS (
  SELECT "invoice_id" AS "k__invoice_id", "line_no" AS "k__line_no", "amount", "currency", "qty", "site", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."site" AS "site" FROM "erp"."invoice_lines" AS b LEFT JOIN (SELECT "order_id", "line_no", min("site") AS "site" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."line_no" IS NOT DISTINCT FROM b."order_line_no") AS t
  QUALIFY row_number() OVER (PARTITION BY "invoice_id", "line_no" ORDER BY "amount", "currency", "qty", "site", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR))) = 1
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
  SELECT *, ((("l__qty") IS NULL AND ("r__qty") IS NULL) OR (("l__qty") IS NOT NULL AND ("r__qty") IS NOT NULL AND (abs(("l__qty") - ("r__qty")) <= 0))) AS "_ok0", ((("l__amount") IS NULL AND ("r__amount") IS NULL) OR (("l__amount") IS NOT NULL AND ("r__amount") IS NOT NULL AND (abs(("l__amount") - ("r__amount")) <= 0.01))) AS "_ok1" FROM (
  SELECT coalesce(l."k__invoice_id", r."k__invoice_id") AS "k__invoice_id", coalesce(l."k__line_no", r."k__line_no") AS "k__line_no", l."amount" AS "l__amount", l."qty" AS "l__qty", l."_event" AS "l___event", l."_here" AS "l___here", l."_row" AS "l___row", r."amount" AS "r__amount", r."currency" AS "r__currency", r."qty" AS "r__qty", r."site" AS "r__site", r."_event" AS "r___event", r."_here" AS "r___here", r."_row" AS "r___row", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__invoice_id" IS NOT DISTINCT FROM r."k__invoice_id" AND l."k__line_no" IS NOT DISTINCT FROM r."k__line_no"
  ) AS p
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", bool_and("l___here" IS NOT NULL AND "r___here" IS NOT NULL AND "_ok0" AND "_ok1") AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL
  GROUP BY "k__invoice_id", "k__line_no"
) AS checked
