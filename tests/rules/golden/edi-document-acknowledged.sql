WITH
"l_rows" AS (
  SELECT "transaction_set" AS "k__transaction_set", NULLIF(CASE WHEN CAST("group_control" AS VARCHAR) <> '' AND ltrim(CAST("group_control" AS VARCHAR), '0') = '' THEN '0' ELSE ltrim(CAST("group_control" AS VARCHAR), '0') END, '') AS "k__group_control", NULLIF(CASE WHEN CAST("control_number" AS VARCHAR) <> '' AND ltrim(CAST("control_number" AS VARCHAR), '0') = '' THEN '0' ELSE ltrim(CAST("control_number" AS VARCHAR), '0') END, '') AS "k__control_number", "document_currency", "document_value", "reference", CAST(TIMEZONE('UTC', CAST("sent_at" AS TIMESTAMP)) AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM (SELECT b.*, lk0."document_value" AS "document_value", lk0."document_currency" AS "document_currency" FROM "edi"."edi_documents" AS b LEFT JOIN (SELECT "_interchange_control", "_set_control", SUM("amount") AS "document_value", min("currency") AS "document_currency" FROM "edi"."invoice_lines" GROUP BY "_interchange_control", "_set_control") AS lk0 ON lk0."_interchange_control" IS NOT DISTINCT FROM b."interchange_control" AND lk0."_set_control" IS NOT DISTINCT FROM b."control_number") AS t
  WHERE "direction" = 'outbound' AND "transaction_set" <> '997'
),
"r_rows" AS (
  SELECT "acked_transaction_set" AS "k__transaction_set", NULLIF(CASE WHEN CAST("acked_group_control" AS VARCHAR) <> '' AND ltrim(CAST("acked_group_control" AS VARCHAR), '0') = '' THEN '0' ELSE ltrim(CAST("acked_group_control" AS VARCHAR), '0') END, '') AS "k__group_control", NULLIF(CASE WHEN CAST("acked_control_number" AS VARCHAR) <> '' AND ltrim(CAST("acked_control_number" AS VARCHAR), '0') = '' THEN '0' ELSE ltrim(CAST("acked_control_number" AS VARCHAR), '0') END, '') AS "k__control_number", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM "edi"."edi_acks" AS t
),
"l_side" AS (
  SELECT *, TRUE AS "_here", row_number() OVER (PARTITION BY "k__transaction_set", "k__group_control", "k__control_number" ORDER BY "document_currency", "document_value", "reference", "_id") AS "_dup"
  FROM "l_rows"
),
"r_side" AS (
  SELECT *, TRUE AS "_here", row_number() OVER (PARTITION BY "k__transaction_set", "k__group_control", "k__control_number" ORDER BY "_id") AS "_dup"
  FROM "r_rows"
),
"pairs" AS (
  SELECT coalesce(l."k__transaction_set", r."k__transaction_set") AS "k__transaction_set", coalesce(l."k__group_control", r."k__group_control") AS "k__group_control", coalesce(l."k__control_number", r."k__control_number") AS "k__control_number", l."document_currency" AS "l__document_currency", l."document_value" AS "l__document_value", l."reference" AS "l__reference", l."_event" AS "l___event", l."_here" AS "l___here", l."_id" AS "l___id", l."_row" AS "l___row", r."_event" AS "r___event", r."_here" AS "r___here", r."_id" AS "r___id", r."_row" AS "r___row", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__transaction_set" IS NOT DISTINCT FROM r."k__transaction_set" AND l."k__group_control" IS NOT DISTINCT FROM r."k__group_control" AND l."k__control_number" IS NOT DISTINCT FROM r."k__control_number" AND l."_dup" = r."_dup"
),
"findings" AS (
  SELECT 0 AS "_outcome", 'edi-ack-missing' AS exception_type, 'medium' AS severity, 'it' AS owner, 'edi' AS fix_in, CAST(NULL AS VARCHAR) AS "order_id", CAST(NULL AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST(NULL AS VARCHAR) AS "item_id", CAST(NULL AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST(NULL AS VARCHAR) AS "customer_po", CAST("l__reference" AS VARCHAR) AS "document", CAST(NULL AS VARCHAR) AS field, CAST(NULL AS VARCHAR) AS left_value, CAST(NULL AS VARCHAR) AS right_value, CAST(NULL AS DECIMAL(18,4)) AS difference, CAST(round("l__document_value", 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("l__document_currency" AS VARCHAR) AS currency, CAST("l___event" AS TIMESTAMPTZ) AS event_at, CAST("l___row" AS STRUCT(f VARCHAR, r BIGINT)) AS left_rows, CAST("r___row" AS STRUCT(f VARCHAR, r BIGINT)) AS right_rows, coalesce(CAST("l__reference" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND (CAST("l___event" AS TIMESTAMPTZ) < CAST($as_of AS TIMESTAMPTZ) - INTERVAL 86400 SECOND)
),
"per_outcome" AS (
  SELECT "_outcome", exception_type, severity, owner, fix_in, "_key", field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(left_value) AS left_value, min(right_value) AS right_value, sum(difference) AS difference, sum(value_at_risk) AS value_at_risk, min(currency) AS currency, min(event_at) AS event_at, list_distinct(list(left_rows)) AS left_rows, list_distinct(list(right_rows)) AS right_rows, count(*) AS "_n"
  FROM findings GROUP BY "_outcome", exception_type, severity, owner, fix_in, "_key", field
),
"found" AS (
  SELECT min("_outcome") AS "_outcome", exception_type, "_key", first(severity ORDER BY "_outcome") AS severity, first(owner ORDER BY "_outcome") AS owner, first(fix_in ORDER BY "_outcome") AS fix_in, first(left_value ORDER BY "_outcome") AS left_value, first(right_value ORDER BY "_outcome") AS right_value, first(difference ORDER BY "_outcome") AS difference, first(value_at_risk ORDER BY "_outcome") AS value_at_risk, first(currency ORDER BY "_outcome") AS currency, string_agg(field, ', ' ORDER BY "_outcome") AS field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(event_at) AS event_at, list_sort(list_distinct(flatten(list(left_rows)))) AS left_rows, list_sort(list_distinct(flatten(list(right_rows)))) AS right_rows, sum("_n") AS "_n"
  FROM per_outcome GROUP BY exception_type, "_key"
),
"final" AS (
  SELECT $run_id AS run_id, left(sha256('edi-document-acknowledged' || '|' || exception_type || '|' || "_key"), 16) AS exception_id, 'edi-document-acknowledged' AS rule_id, 'edi' AS workflow, exception_type, severity, owner, fix_in, "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", field, left_value, right_value, difference, value_at_risk, currency, CAST($as_of AS TIMESTAMPTZ) AS as_of, event_at, CAST(round(date_diff('second', CAST(event_at AS TIMESTAMPTZ), CAST(CAST($as_of AS TIMESTAMPTZ) AS TIMESTAMPTZ)) / 3600.0, 1) AS DECIMAL(12,1)) AS age_hours, "_outcome", "_n", left_rows, right_rows
  FROM found
)
SELECT "run_id", "exception_id", "rule_id", "workflow", "exception_type", "severity", "owner", "fix_in", "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", "field", "left_value", "right_value", "difference", "value_at_risk", "currency", "as_of", "event_at", "age_hours", CASE "_outcome" WHEN 0 THEN 'document ' || coalesce(CAST("document" AS VARCHAR), '-') || ' was sent ' || coalesce(CAST("age_hours" AS VARCHAR), '-') || 'h ago and the partner has not acknowledged it' END AS message, CASE WHEN left_rows IS NULL OR len(left_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(left_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(left_rows) > 10 THEN ';…(+' || CAST(len(left_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS left_lineage, CASE WHEN right_rows IS NULL OR len(right_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(right_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(right_rows) > 10 THEN ';…(+' || CAST(len(right_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS right_lineage
FROM final
