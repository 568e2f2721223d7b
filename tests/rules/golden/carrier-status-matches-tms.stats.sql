WITH
"l_rows" AS (
  SELECT "_lk_key0" AS "k__shipment_id", "carrier", "delivered_at", "shipment_currency", "shipment_value", CAST("delivered_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."shipment_value" AS "shipment_value", lk0."shipment_currency" AS "shipment_currency" FROM (SELECT b.*, NULLIF(upper(trim(CAST(b."shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "_lk_key0" FROM "edi"."deliveries" AS b) AS b LEFT JOIN (SELECT NULLIF(upper(trim(CAST("shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "shipment_id", SUM("qty" * "unit_price") AS "shipment_value", MIN("currency") AS "shipment_currency" FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency" FROM "wms"."shipment_lines" AS b LEFT JOIN (SELECT "order_id", "line_no", min("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."line_no" IS NOT DISTINCT FROM b."line_no") AS lt WHERE ARRAY_CONTAINS(STR_SPLIT('SHIPPED', ','), "status") GROUP BY 1) AS lk0 ON lk0."shipment_id" IS NOT DISTINCT FROM b."_lk_key0") AS t
  WHERE NOT "delivered_at" IS NULL
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__shipment_id", "delivered_at", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM "tms"."deliveries" AS t
),
"l_side" AS (
  SELECT "k__shipment_id", max("delivered_at") AS "delivered_at", min("carrier") AS "carrier", max("shipment_value") AS "shipment_value", min("shipment_currency") AS "shipment_currency", max("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__shipment_id"
),
"r_side" AS (
  SELECT "k__shipment_id", max("delivered_at") AS "delivered_at", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__shipment_id"
),
"pairs" AS (
  SELECT *, ((("l__delivered_at") IS NULL AND ("r__delivered_at") IS NULL) OR (("l__delivered_at") IS NOT NULL AND ("r__delivered_at") IS NOT NULL AND (abs(date_diff('second', CAST("r__delivered_at" AS TIMESTAMPTZ), CAST("l__delivered_at" AS TIMESTAMPTZ))) <= 86400))) AS "_ok0" FROM (
  SELECT coalesce(l."k__shipment_id", r."k__shipment_id") AS "k__shipment_id", l."carrier" AS "l__carrier", l."delivered_at" AS "l__delivered_at", l."shipment_currency" AS "l__shipment_currency", l."shipment_value" AS "l__shipment_value", l."_event" AS "l___event", l."_here" AS "l___here", r."delivered_at" AS "r__delivered_at", r."_event" AS "r___event", r."_here" AS "r___here", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__shipment_id" IS NOT DISTINCT FROM r."k__shipment_id"
  ) AS p
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND "_ok0" AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL
) AS checked
