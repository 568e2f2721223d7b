WITH
"l_rows" AS (
  SELECT NULLIF(upper(trim(CAST("shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__shipment_id", "carrier", "site", CAST("shipped_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM "wms"."shipment_lines" AS t
  WHERE "status" = 'SHIPPED'
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__shipment_id", "carrier", CAST("picked_up_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM "tms"."deliveries" AS t
),
"l_side" AS (
  SELECT "k__shipment_id", min("carrier") AS "carrier", min("site") AS "site", min("_event") AS "_event", list("_row") AS "_rows", min("_id") AS "_id"
  FROM "l_rows" GROUP BY "k__shipment_id"
),
"r_side" AS (
  SELECT *, list_value("_row") AS "_rows"
  FROM "r_rows"
),
"pairs" AS (
  SELECT coalesce(l."k__shipment_id", r."k__shipment_id") AS "k__shipment_id", l."carrier" AS "l__carrier", l."site" AS "l__site", l."_event" AS "l___event", l."_rows" AS "l___rows", l."_id" AS "l___id", r."carrier" AS "r__carrier", r."_event" AS "r___event", r."_rows" AS "r___rows", r."_id" AS "r___id", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__shipment_id" IS NOT DISTINCT FROM r."k__shipment_id"
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", bool_and("l___rows" IS NOT NULL AND "r___rows" IS NOT NULL AND (((NULLIF(upper(trim(CAST("l__carrier" AS VARCHAR), ' 	
' || chr(160))), '')) IS NULL AND (NULLIF(upper(trim(CAST("r__carrier" AS VARCHAR), ' 	
' || chr(160))), '')) IS NULL) OR ((NULLIF(upper(trim(CAST("l__carrier" AS VARCHAR), ' 	
' || chr(160))), '')) IS NOT NULL AND (NULLIF(upper(trim(CAST("r__carrier" AS VARCHAR), ' 	
' || chr(160))), '')) IS NOT NULL AND ((NULLIF(upper(trim(CAST("l__carrier" AS VARCHAR), ' 	
' || chr(160))), '')) = (NULLIF(upper(trim(CAST("r__carrier" AS VARCHAR), ' 	
' || chr(160))), '')))))) AS "_ok"
  FROM "pairs"
  WHERE "l___rows" IS NOT NULL
  GROUP BY "k__shipment_id"
) AS checked
