WITH
"l_rows" AS (
  SELECT "order_id" AS "k__order_id", "order_line_no" AS "k__line_no", "currency", "qty", "site", "unit_price", CAST("invoiced_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."site" AS "site" FROM "erp"."invoice_lines" AS b LEFT JOIN (SELECT "order_id", "line_no", min("unit_price") AS "unit_price", min("site") AS "site" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."line_no" IS NOT DISTINCT FROM b."order_line_no") AS t
  QUALIFY row_number() OVER (PARTITION BY "invoice_id", "line_no" ORDER BY "currency", "qty", "site", "unit_price", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR))) = 1
),
"r_rows" AS (
  SELECT "order_id" AS "k__order_id", "line_no" AS "k__line_no", "currency", "qty", "site", "unit_price", CAST(CASE WHEN 'hours' = 'days' THEN TIMEZONE('UTC', DATE_TRUNC('DAY', TIMEZONE('UTC', CAST(CASE WHEN 'shipment' = 'posting' THEN "posted_at" ELSE "shipped_at" END AS TIMESTAMPTZ)))) ELSE CASE WHEN 'shipment' = 'posting' THEN "posted_at" ELSE "shipped_at" END END AS TIMESTAMPTZ) AS "_event"
  FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency", lk1."posted_at" AS "posted_at" FROM "wms"."shipment_lines" AS b LEFT JOIN (SELECT "order_id", "line_no", min("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."line_no" IS NOT DISTINCT FROM b."line_no" LEFT JOIN (SELECT "order_id", "line_no", MIN("shipped_at") AS "posted_at" FROM "erp"."shipment_lines" GROUP BY "order_id", "line_no") AS lk1 ON lk1."order_id" IS NOT DISTINCT FROM b."order_id" AND lk1."line_no" IS NOT DISTINCT FROM b."line_no") AS t
  WHERE ARRAY_CONTAINS(STR_SPLIT('SHIPPED', ','), "status")
),
"l_side" AS (
  SELECT "k__order_id", "k__line_no", sum("qty") AS "qty", min("unit_price") AS "unit_price", min("currency") AS "currency", min("site") AS "site", min("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__order_id", "k__line_no"
),
"r_side" AS (
  SELECT "k__order_id", "k__line_no", sum("qty") AS "qty", min("unit_price") AS "unit_price", min("currency") AS "currency", min("site") AS "site", max("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__order_id", "k__line_no"
),
"pairs" AS (
  SELECT *, ((("l__qty") IS NULL AND ("r__qty") IS NULL) OR (("l__qty") IS NOT NULL AND ("r__qty") IS NOT NULL AND (abs(("l__qty") - ("r__qty")) <= 0))) AS "_ok0" FROM (
  SELECT coalesce(l."k__order_id", r."k__order_id") AS "k__order_id", coalesce(l."k__line_no", r."k__line_no") AS "k__line_no", l."currency" AS "l__currency", l."qty" AS "l__qty", l."site" AS "l__site", l."unit_price" AS "l__unit_price", l."_event" AS "l___event", l."_here" AS "l___here", r."currency" AS "r__currency", r."qty" AS "r__qty", r."site" AS "r__site", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__order_id" IS NOT DISTINCT FROM r."k__order_id" AND l."k__line_no" IS NOT DISTINCT FROM r."k__line_no"
  ) AS p
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND "_ok0" AS "_ok"
  FROM "pairs"
  WHERE TRUE
) AS checked
