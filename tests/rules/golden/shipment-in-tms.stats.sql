WITH
"l_rows" AS (
  SELECT NULLIF(upper(trim(CAST("shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__shipment_id", "carrier", "currency", "qty", "site", "unit_price", CAST("shipped_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency" FROM "wms"."shipment_lines" AS b LEFT JOIN (SELECT "order_id", "line_no", min("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."line_no" IS NOT DISTINCT FROM b."line_no") AS t
  WHERE ARRAY_CONTAINS(STR_SPLIT('SHIPPED', ','), "status")
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__shipment_id", "carrier", CAST("picked_up_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM "tms"."deliveries" AS t
),
"l_side" AS (
  SELECT "k__shipment_id", min("carrier") AS "carrier", min("site") AS "site", SUM("qty" * "unit_price") AS "shipment_value", min("currency") AS "currency", min("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__shipment_id"
),
"r_side" AS (
  SELECT *, TRUE AS "_here"
  FROM "r_rows"
),
"pairs" AS (
  SELECT *, (((NULLIF(upper(trim(CAST("l__carrier" AS VARCHAR), ' 	
' || chr(160))), '')) IS NULL AND (NULLIF(upper(trim(CAST("r__carrier" AS VARCHAR), ' 	
' || chr(160))), '')) IS NULL) OR ((NULLIF(upper(trim(CAST("l__carrier" AS VARCHAR), ' 	
' || chr(160))), '')) IS NOT NULL AND (NULLIF(upper(trim(CAST("r__carrier" AS VARCHAR), ' 	
' || chr(160))), '')) IS NOT NULL AND ((NULLIF(upper(trim(CAST("l__carrier" AS VARCHAR), ' 	
' || chr(160))), '')) = (NULLIF(upper(trim(CAST("r__carrier" AS VARCHAR), ' 	
' || chr(160))), ''))))) AS "_ok0" FROM (
  SELECT coalesce(l."k__shipment_id", r."k__shipment_id") AS "k__shipment_id", l."carrier" AS "l__carrier", l."currency" AS "l__currency", l."shipment_value" AS "l__shipment_value", l."site" AS "l__site", l."_event" AS "l___event", l."_here" AS "l___here", r."carrier" AS "r__carrier", r."_event" AS "r___event", r."_here" AS "r___here", r."_row" AS "r___row", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__shipment_id" IS NOT DISTINCT FROM r."k__shipment_id"
  ) AS p
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", bool_and("l___here" IS NOT NULL AND "r___here" IS NOT NULL AND "_ok0") AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL
  GROUP BY "k__shipment_id"
) AS checked
