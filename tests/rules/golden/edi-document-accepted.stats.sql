SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", coalesce(("status" IS NULL OR NOT "status" IN ('R', 'M', 'W', 'X')), FALSE) AS "_ok"
  FROM (SELECT b.*, lk0."reference" AS "reference", lk0."document_interchange" AS "document_interchange", lk0."document_control" AS "document_control", lk1."invoice_value" AS "invoice_value", lk1."invoice_currency" AS "invoice_currency", lk2."shipment_value" AS "shipment_value", lk2."shipment_currency" AS "shipment_currency" FROM (SELECT b.*, NULLIF(coalesce(NULLIF(ltrim(trim(CAST(b."acked_group_control" AS VARCHAR), ' 	
' || chr(160)), '0'), ''), left(trim(CAST(b."acked_group_control" AS VARCHAR), ' 	
' || chr(160)), 1)), '') AS "_lk_key0", NULLIF(coalesce(NULLIF(ltrim(trim(CAST(b."acked_control_number" AS VARCHAR), ' 	
' || chr(160)), '0'), ''), left(trim(CAST(b."acked_control_number" AS VARCHAR), ' 	
' || chr(160)), 1)), '') AS "_lk_key1", NULLIF(coalesce(NULLIF(ltrim(trim(CAST(b."acked_transaction_set" AS VARCHAR), ' 	
' || chr(160)), '0'), ''), left(trim(CAST(b."acked_transaction_set" AS VARCHAR), ' 	
' || chr(160)), 1)), '') AS "_lk_key2" FROM "edi"."edi_acks" AS b) AS b LEFT JOIN (SELECT NULLIF(coalesce(NULLIF(ltrim(trim(CAST("group_control" AS VARCHAR), ' 	
' || chr(160)), '0'), ''), left(trim(CAST("group_control" AS VARCHAR), ' 	
' || chr(160)), 1)), '') AS "group_control", NULLIF(coalesce(NULLIF(ltrim(trim(CAST("control_number" AS VARCHAR), ' 	
' || chr(160)), '0'), ''), left(trim(CAST("control_number" AS VARCHAR), ' 	
' || chr(160)), 1)), '') AS "control_number", NULLIF(coalesce(NULLIF(ltrim(trim(CAST("transaction_set" AS VARCHAR), ' 	
' || chr(160)), '0'), ''), left(trim(CAST("transaction_set" AS VARCHAR), ' 	
' || chr(160)), 1)), '') AS "transaction_set", min("reference") AS "reference", min("interchange_control") AS "document_interchange", min("control_number") AS "document_control" FROM "edi"."edi_documents" WHERE "direction" = 'outbound' GROUP BY 1, 2, 3) AS lk0 ON lk0."group_control" IS NOT DISTINCT FROM b."_lk_key0" AND lk0."control_number" IS NOT DISTINCT FROM b."_lk_key1" AND lk0."transaction_set" IS NOT DISTINCT FROM b."_lk_key2" LEFT JOIN (SELECT "_interchange_control", "_set_control", SUM("amount") AS "invoice_value", min("currency") AS "invoice_currency" FROM "edi"."invoice_lines" GROUP BY "_interchange_control", "_set_control") AS lk1 ON lk1."_interchange_control" IS NOT DISTINCT FROM lk0."document_interchange" AND lk1."_set_control" IS NOT DISTINCT FROM lk0."document_control" LEFT JOIN (SELECT NULLIF(upper(trim(CAST("shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "shipment_id", SUM("qty" * "unit_price") AS "shipment_value", MIN("currency") AS "shipment_currency" FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency" FROM "wms"."shipment_lines" AS b LEFT JOIN (SELECT "order_id", "line_no", min("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."line_no" IS NOT DISTINCT FROM b."line_no") AS lt WHERE ARRAY_CONTAINS(STR_SPLIT('SHIPPED', ','), "status") GROUP BY 1) AS lk2 ON lk2."shipment_id" IS NOT DISTINCT FROM NULLIF(upper(trim(CAST(lk0."reference" AS VARCHAR), ' 	
' || chr(160))), '')) AS t
) AS checked
