SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", coalesce((NOT "delivered_at" IS NULL AND (NOT "pod_signed_by" IS NULL OR 'required' = 'optional')), FALSE) AS "_ok"
  FROM (SELECT b.*, lk0."site" AS "site", lk1."shipment_value" AS "shipment_value", lk1."shipment_currency" AS "shipment_currency" FROM (SELECT b.*, NULLIF(upper(trim(CAST(b."shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "_lk_key0" FROM "tms"."deliveries" AS b) AS b LEFT JOIN (SELECT NULLIF(upper(trim(CAST("shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "shipment_id", min("site") AS "site" FROM "wms"."shipment_lines" GROUP BY 1) AS lk0 ON lk0."shipment_id" IS NOT DISTINCT FROM b."_lk_key0" LEFT JOIN (SELECT NULLIF(upper(trim(CAST("shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "shipment_id", SUM("qty" * "unit_price") AS "shipment_value", MIN("currency") AS "shipment_currency" FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency" FROM "wms"."shipment_lines" AS b LEFT JOIN (SELECT "order_id", "line_no", min("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."line_no" IS NOT DISTINCT FROM b."line_no") AS lt WHERE ARRAY_CONTAINS(STR_SPLIT('SHIPPED', ','), "status") GROUP BY 1) AS lk1 ON lk1."shipment_id" IS NOT DISTINCT FROM b."_lk_key0") AS t
) AS checked
