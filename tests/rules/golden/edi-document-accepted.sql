WITH
"rows" AS (
  SELECT "acked_transaction_set" || ':' || COALESCE(NULLIF(LTRIM(TRIM("acked_control_number"), '0'), ''), TRIM("acked_control_number")) AS "k__document", "status" AS "_value", NULL AS "_var", 'USD' AS "_cur", CASE WHEN "acked_transaction_set" = '810' THEN "reference" END AS "c__invoice_id", CASE WHEN "acked_transaction_set" IN ('856', '945') THEN "reference" END AS "c__shipment_id", CASE WHEN "acked_transaction_set" IN ('850', '855', '860', '865') THEN "reference" END AS "c__customer_po", CAST("acked_at" AS TIMESTAMPTZ) AS "_event", list_value({'f': "_source_file", 'r': "_source_row"}) AS "_rows"
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
  WHERE NOT coalesce(("status" IS NULL OR "status" <> 'R'), FALSE)
),
"findings" AS (
  SELECT 0 AS "_outcome", 'edi-rejected' AS exception_type, 'high' AS severity, 'it' AS owner, 'edi' AS fix_in, CAST(NULL AS VARCHAR) AS "order_id", CAST(NULL AS VARCHAR) AS "line_no", CAST("c__shipment_id" AS VARCHAR) AS "shipment_id", CAST("c__invoice_id" AS VARCHAR) AS "invoice_id", CAST(NULL AS VARCHAR) AS "item_id", CAST(NULL AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST("c__customer_po" AS VARCHAR) AS "customer_po", CAST("k__document" AS VARCHAR) AS "document", CAST('status' AS VARCHAR) AS field, CAST(CAST("_value" AS VARCHAR) AS VARCHAR) AS left_value, CAST(NULL AS VARCHAR) AS right_value, CAST(NULL AS DECIMAL(18,4)) AS difference, CAST(round("_var", 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("_cur" AS VARCHAR) AS currency, CAST("_event" AS TIMESTAMPTZ) AS event_at, CAST("_rows" AS STRUCT(f VARCHAR, r BIGINT)[]) AS left_rows, CAST(NULL AS STRUCT(f VARCHAR, r BIGINT)[]) AS right_rows, coalesce(CAST("k__document" AS VARCHAR), '') AS "_key"
  FROM "rows"
  WHERE TRUE
),
"per_outcome" AS (
  SELECT "_outcome", exception_type, severity, owner, fix_in, "_key", field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(left_value) AS left_value, min(right_value) AS right_value, sum(difference) AS difference, sum(value_at_risk) AS value_at_risk, min(currency) AS currency, min(event_at) AS event_at, list_sort(list_distinct(flatten(list(left_rows)))) AS left_rows, list_sort(list_distinct(flatten(list(right_rows)))) AS right_rows, count(*) AS "_n"
  FROM findings GROUP BY "_outcome", exception_type, severity, owner, fix_in, "_key", field
),
"found" AS (
  SELECT min("_outcome") AS "_outcome", exception_type, "_key", first(severity ORDER BY "_outcome") AS severity, first(owner ORDER BY "_outcome") AS owner, first(fix_in ORDER BY "_outcome") AS fix_in, first(left_value ORDER BY "_outcome") AS left_value, first(right_value ORDER BY "_outcome") AS right_value, first(difference ORDER BY "_outcome") AS difference, first(value_at_risk ORDER BY "_outcome") AS value_at_risk, first(currency ORDER BY "_outcome") AS currency, string_agg(field, ', ' ORDER BY "_outcome") AS field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(event_at) AS event_at, list_sort(list_distinct(flatten(list(left_rows)))) AS left_rows, list_sort(list_distinct(flatten(list(right_rows)))) AS right_rows, sum("_n") AS "_n"
  FROM per_outcome GROUP BY exception_type, "_key"
),
"final" AS (
  SELECT $run_id AS run_id, left(sha256('edi-document-accepted' || '|' || exception_type || '|' || "_key"), 16) AS exception_id, 'edi-document-accepted' AS rule_id, 'edi' AS workflow, exception_type, severity, owner, fix_in, "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", field, left_value, right_value, difference, value_at_risk, currency, CAST($as_of AS TIMESTAMPTZ) AS as_of, event_at, CAST(round(date_diff('second', CAST(event_at AS TIMESTAMPTZ), CAST(CAST($as_of AS TIMESTAMPTZ) AS TIMESTAMPTZ)) / 3600.0, 1) AS DECIMAL(12,1)) AS age_hours, "_outcome", "_n", left_rows, right_rows
  FROM found
)
SELECT "run_id", "exception_id", "rule_id", "workflow", "exception_type", "severity", "owner", "fix_in", "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", "field", "left_value", "right_value", "difference", "value_at_risk", "currency", "as_of", "event_at", "age_hours", CASE "_outcome" WHEN 0 THEN 'document ' || coalesce(CAST("document" AS VARCHAR), '-') || ' (transaction set:control number) was rejected by the partner''s 997' END AS message, CASE WHEN left_rows IS NULL OR len(left_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(left_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(left_rows) > 10 THEN ';…(+' || CAST(len(left_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS left_lineage, CASE WHEN right_rows IS NULL OR len(right_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(right_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(right_rows) > 10 THEN ';…(+' || CAST(len(right_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS right_lineage
FROM final
