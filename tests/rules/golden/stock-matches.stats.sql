WITH
"l_rows" AS (
  SELECT "item_id" AS "k__item_id", "site" AS "k__site", CASE WHEN 'compare' = 'compare' THEN "lot" END AS "k__lot", "currency", "qty", "unit_price", CAST("as_of" AS TIMESTAMPTZ) AS "_event"
  FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency" FROM "erp"."stock" AS b LEFT JOIN (SELECT "item_id", MAX("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "item_id") AS lk0 ON lk0."item_id" IS NOT DISTINCT FROM b."item_id") AS t
),
"r_rows" AS (
  SELECT "item_id" AS "k__item_id", "site" AS "k__site", CASE WHEN 'compare' = 'compare' THEN "lot" END AS "k__lot", "currency", "qty", "unit_price", CAST("as_of" AS TIMESTAMPTZ) AS "_event"
  FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency" FROM "wms"."stock" AS b LEFT JOIN (SELECT "item_id", MAX("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "item_id") AS lk0 ON lk0."item_id" IS NOT DISTINCT FROM b."item_id") AS t
),
"l_side" AS (
  SELECT "k__item_id", "k__site", "k__lot", sum("qty") AS "qty", max("unit_price") AS "unit_price", min("currency") AS "currency", min("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__item_id", "k__site", "k__lot"
),
"r_side" AS (
  SELECT "k__item_id", "k__site", "k__lot", sum("qty") AS "qty", max("unit_price") AS "unit_price", min("currency") AS "currency", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__item_id", "k__site", "k__lot"
),
"pairs" AS (
  SELECT *, ((((CASE WHEN "l___here" IS NULL THEN 0 ELSE "l__qty" END)) IS NULL AND ((CASE WHEN "r___here" IS NULL THEN 0 ELSE "r__qty" END)) IS NULL) OR (((CASE WHEN "l___here" IS NULL THEN 0 ELSE "l__qty" END)) IS NOT NULL AND ((CASE WHEN "r___here" IS NULL THEN 0 ELSE "r__qty" END)) IS NOT NULL AND (abs(((CASE WHEN "l___here" IS NULL THEN 0 ELSE "l__qty" END)) - ((CASE WHEN "r___here" IS NULL THEN 0 ELSE "r__qty" END))) <= 0))) AS "_ok0" FROM (
  SELECT coalesce(l."k__item_id", r."k__item_id") AS "k__item_id", coalesce(l."k__site", r."k__site") AS "k__site", coalesce(l."k__lot", r."k__lot") AS "k__lot", l."currency" AS "l__currency", l."qty" AS "l__qty", l."unit_price" AS "l__unit_price", l."_event" AS "l___event", l."_here" AS "l___here", r."currency" AS "r__currency", r."qty" AS "r__qty", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__item_id" IS NOT DISTINCT FROM r."k__item_id" AND l."k__site" IS NOT DISTINCT FROM r."k__site" AND l."k__lot" IS NOT DISTINCT FROM r."k__lot"
  ) AS p
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", "_ok0" AS "_ok"
  FROM "pairs"
  WHERE TRUE
) AS checked
