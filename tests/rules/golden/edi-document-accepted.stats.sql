SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", coalesce(("status" IS NULL OR "status" <> 'R'), FALSE) AS "_ok"
  FROM (SELECT b.*, lk0."reference" AS "reference" FROM "edi"."edi_acks" AS b LEFT JOIN (SELECT NULLIF(CASE WHEN trim(CAST("group_control" AS VARCHAR), ' 	
' || chr(160)) <> '' AND ltrim(trim(CAST("group_control" AS VARCHAR), ' 	
' || chr(160)), '0') = '' THEN '0' ELSE ltrim(trim(CAST("group_control" AS VARCHAR), ' 	
' || chr(160)), '0') END, '') AS "group_control", NULLIF(CASE WHEN trim(CAST("control_number" AS VARCHAR), ' 	
' || chr(160)) <> '' AND ltrim(trim(CAST("control_number" AS VARCHAR), ' 	
' || chr(160)), '0') = '' THEN '0' ELSE ltrim(trim(CAST("control_number" AS VARCHAR), ' 	
' || chr(160)), '0') END, '') AS "control_number", NULLIF(CASE WHEN trim(CAST("transaction_set" AS VARCHAR), ' 	
' || chr(160)) <> '' AND ltrim(trim(CAST("transaction_set" AS VARCHAR), ' 	
' || chr(160)), '0') = '' THEN '0' ELSE ltrim(trim(CAST("transaction_set" AS VARCHAR), ' 	
' || chr(160)), '0') END, '') AS "transaction_set", min("reference") AS "reference" FROM "edi"."edi_documents" WHERE "direction" = 'outbound' GROUP BY 1, 2, 3) AS lk0 ON lk0."group_control" IS NOT DISTINCT FROM NULLIF(CASE WHEN trim(CAST(b."acked_group_control" AS VARCHAR), ' 	
' || chr(160)) <> '' AND ltrim(trim(CAST(b."acked_group_control" AS VARCHAR), ' 	
' || chr(160)), '0') = '' THEN '0' ELSE ltrim(trim(CAST(b."acked_group_control" AS VARCHAR), ' 	
' || chr(160)), '0') END, '') AND lk0."control_number" IS NOT DISTINCT FROM NULLIF(CASE WHEN trim(CAST(b."acked_control_number" AS VARCHAR), ' 	
' || chr(160)) <> '' AND ltrim(trim(CAST(b."acked_control_number" AS VARCHAR), ' 	
' || chr(160)), '0') = '' THEN '0' ELSE ltrim(trim(CAST(b."acked_control_number" AS VARCHAR), ' 	
' || chr(160)), '0') END, '') AND lk0."transaction_set" IS NOT DISTINCT FROM NULLIF(CASE WHEN trim(CAST(b."acked_transaction_set" AS VARCHAR), ' 	
' || chr(160)) <> '' AND ltrim(trim(CAST(b."acked_transaction_set" AS VARCHAR), ' 	
' || chr(160)), '0') = '' THEN '0' ELSE ltrim(trim(CAST(b."acked_transaction_set" AS VARCHAR), ' 	
' || chr(160)), '0') END, '')) AS t
) AS checked
