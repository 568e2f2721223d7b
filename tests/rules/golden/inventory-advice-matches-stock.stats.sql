WITH
"l_rows" AS (
  SELECT "item_id" AS "k__item_id", NULLIF(upper(trim(CAST("site" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__site", "currency", "qty", "unit_price", CAST("as_of" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."latest_as_of" AS "latest_as_of", lk1."unit_price" AS "unit_price", lk1."currency" AS "currency" FROM "edi"."stock" AS b LEFT JOIN (SELECT "item_id", "site", MAX("as_of") AS "latest_as_of" FROM "edi"."stock" GROUP BY "item_id", "site") AS lk0 ON lk0."item_id" IS NOT DISTINCT FROM b."item_id" AND lk0."site" IS NOT DISTINCT FROM b."site" LEFT JOIN (SELECT "item_id", MAX("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "item_id") AS lk1 ON lk1."item_id" IS NOT DISTINCT FROM b."item_id") AS t
  WHERE "as_of" IS NOT DISTINCT FROM "latest_as_of"
),
"r_rows" AS (
  SELECT "item_id" AS "k__item_id", NULLIF(upper(trim(CAST("site" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__site", "currency", "qty", "unit_price", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency" FROM "erp"."stock" AS b LEFT JOIN (SELECT "item_id", MAX("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "item_id") AS lk0 ON lk0."item_id" IS NOT DISTINCT FROM b."item_id") AS t
),
"l_side" AS (
  SELECT "k__item_id", "k__site", sum("qty") AS "qty", max("unit_price") AS "unit_price", min("currency") AS "currency", min("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__item_id", "k__site"
),
"r_side" AS (
  SELECT "k__item_id", "k__site", sum("qty") AS "qty", max("unit_price") AS "unit_price", min("currency") AS "currency", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__item_id", "k__site"
),
"pairs" AS (
  SELECT *, ((("l__qty") IS NULL AND ("r__qty") IS NULL) OR (("l__qty") IS NOT NULL AND ("r__qty") IS NOT NULL AND (abs(("l__qty") - ("r__qty")) <= 0))) AS "_ok0" FROM (
  SELECT coalesce(l."k__item_id", r."k__item_id") AS "k__item_id", coalesce(l."k__site", r."k__site") AS "k__site", l."currency" AS "l__currency", l."qty" AS "l__qty", l."unit_price" AS "l__unit_price", l."_event" AS "l___event", l."_here" AS "l___here", r."currency" AS "r__currency", r."qty" AS "r__qty", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__item_id" IS NOT DISTINCT FROM r."k__item_id" AND l."k__site" IS NOT DISTINCT FROM r."k__site"
  ) AS p
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND "_ok0" AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL
) AS checked
