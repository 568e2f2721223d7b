WITH
"l_rows" AS (
  SELECT NULLIF(upper(trim(CAST("order_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__order_id", "item_id" AS "k__item_id", "erp_currency", "erp_price", "qty", "unit_price", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."erp_price" AS "erp_price", lk0."erp_currency" AS "erp_currency" FROM "edi"."order_lines" AS b LEFT JOIN (SELECT "order_id", "item_id", MAX("unit_price") AS "erp_price", min("currency") AS "erp_currency" FROM "erp"."order_lines" GROUP BY "order_id", "item_id") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."item_id" IS NOT DISTINCT FROM b."item_id") AS t
  WHERE "transaction_set" = '940'
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("order_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__order_id", "item_id" AS "k__item_id", "currency", "qty", "site", "unit_price", CAST("released_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."released_at" AS "released_at" FROM "erp"."order_lines" AS b LEFT JOIN (SELECT "order_id", min("released_at") AS "released_at" FROM "erp"."orders" GROUP BY "order_id") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id") AS t
  WHERE COALESCE("status", '') <> 'CANCELLED' AND NOT "released_at" IS NULL
),
"l_side" AS (
  SELECT "k__order_id", "k__item_id", sum("qty") AS "qty", max("unit_price") AS "unit_price", max("erp_price") AS "erp_price", min("erp_currency") AS "erp_currency", min("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__order_id", "k__item_id"
),
"r_side" AS (
  SELECT "k__order_id", "k__item_id", sum("qty") AS "qty", max("unit_price") AS "unit_price", min("currency") AS "currency", min("site") AS "site", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__order_id", "k__item_id"
),
"pairs" AS (
  SELECT *, ((("l__qty") IS NULL AND ("r__qty") IS NULL) OR (("l__qty") IS NOT NULL AND ("r__qty") IS NOT NULL AND (abs(("l__qty") - ("r__qty")) <= 0))) AS "_ok0" FROM (
  SELECT coalesce(l."k__order_id", r."k__order_id") AS "k__order_id", coalesce(l."k__item_id", r."k__item_id") AS "k__item_id", l."erp_currency" AS "l__erp_currency", l."erp_price" AS "l__erp_price", l."qty" AS "l__qty", l."unit_price" AS "l__unit_price", l."_event" AS "l___event", l."_here" AS "l___here", r."currency" AS "r__currency", r."qty" AS "r__qty", r."site" AS "r__site", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__order_id" IS NOT DISTINCT FROM r."k__order_id" AND l."k__item_id" IS NOT DISTINCT FROM r."k__item_id"
  ) AS p
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND "_ok0" AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL
) AS checked
