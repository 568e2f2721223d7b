WITH
"rows" AS (
  SELECT t.*, "invoice_id" AS "k__invoice_id", "line_no" AS "k__line_no", CAST("invoiced_at" AS TIMESTAMPTZ) AS "_event"
  FROM (SELECT b.*, lk0."site" AS "site" FROM "erp"."invoice_lines" AS b LEFT JOIN (SELECT "order_id", "line_no", min("site") AS "site" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."line_no" IS NOT DISTINCT FROM b."order_line_no") AS t
),
"groups" AS (
  SELECT "k__invoice_id", "k__line_no", count(*) AS "_value", SUM("amount") - MAX("amount") AS "_var", MIN("currency") AS "_cur", MIN("site") AS "c__site", max("_event") AS "_event"
  FROM "rows" GROUP BY "k__invoice_id", "k__line_no" HAVING count(*) > 1
),
"findings" AS (
  SELECT 0 AS "_outcome", 'duplicate-invoice' AS exception_type, 'high' AS severity, 'finance' AS owner, 'erp' AS fix_in, CAST(NULL AS VARCHAR) AS "order_id", CAST("k__line_no" AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST("k__invoice_id" AS VARCHAR) AS "invoice_id", CAST(NULL AS VARCHAR) AS "item_id", CAST("c__site" AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST(NULL AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST(NULL AS VARCHAR) AS field, CAST(regexp_replace(CAST(CAST("_value" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS left_value, CAST(NULL AS VARCHAR) AS right_value, CAST(NULL AS DECIMAL(18,4)) AS difference, CAST(round("_var", 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("_cur" AS VARCHAR) AS currency, CAST("_event" AS TIMESTAMPTZ) AS event_at, CAST(NULL AS STRUCT(f VARCHAR, r BIGINT)[]) AS right_rows, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__invoice_id" AS VARCHAR), '') AS "_key"
  FROM "groups"
  WHERE TRUE
),
"per_outcome" AS (
  SELECT "_outcome", exception_type, severity, owner, fix_in, "_key", field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(left_value) AS left_value, min(right_value) AS right_value, sum(difference) AS difference, sum(value_at_risk) AS value_at_risk, min(currency) AS currency, min(event_at) AS event_at, list_sort(list_distinct(flatten(list(right_rows)))) AS right_rows, count(*) AS "_n"
  FROM findings GROUP BY "_outcome", exception_type, severity, owner, fix_in, "_key", field
),
"found" AS (
  SELECT min("_outcome") AS "_outcome", exception_type, "_key", first(severity ORDER BY "_outcome") AS severity, first(owner ORDER BY "_outcome") AS owner, first(fix_in ORDER BY "_outcome") AS fix_in, first(left_value ORDER BY "_outcome") AS left_value, first(right_value ORDER BY "_outcome") AS right_value, first(difference ORDER BY "_outcome") AS difference, first(value_at_risk ORDER BY "_outcome") AS value_at_risk, first(currency ORDER BY "_outcome") AS currency, string_agg(field, ', ' ORDER BY "_outcome") AS field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(event_at) AS event_at, list_sort(list_distinct(flatten(list(right_rows)))) AS right_rows, sum("_n") AS "_n"
  FROM per_outcome GROUP BY exception_type, "_key"
),
"lineage_left" AS (
  SELECT f.exception_type, f."_key", list_sort(list_distinct(list(x."_row"))) AS left_rows
  FROM (SELECT DISTINCT * FROM (
    SELECT 'duplicate-invoice' AS exception_type, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__invoice_id" AS VARCHAR), '') AS "_key", "k__invoice_id" AS "_k0", "k__line_no" AS "_k1" FROM "groups" WHERE TRUE AND TRUE
  ) AS w) AS f
  JOIN (SELECT "invoice_id" AS "k__invoice_id", "line_no" AS "k__line_no", {'f': "_source_file", 'r': "_source_row"} AS "_row" FROM "erp"."invoice_lines" AS t) AS x ON x."k__invoice_id" IS NOT DISTINCT FROM f."_k0" AND x."k__line_no" IS NOT DISTINCT FROM f."_k1"
  GROUP BY f.exception_type, f."_key"
),
"found_rows" AS (
  SELECT found.*, "lineage_left".left_rows
  FROM found LEFT JOIN "lineage_left" ON "lineage_left".exception_type = found.exception_type AND "lineage_left"."_key" = found."_key"
),
"final" AS (
  SELECT $run_id AS run_id, left(sha256('invoice-line-unique' || '|' || exception_type || '|' || "_key"), 16) AS exception_id, 'invoice-line-unique' AS rule_id, 'order-to-cash' AS workflow, exception_type, severity, owner, fix_in, "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", field, left_value, right_value, difference, value_at_risk, currency, CAST($as_of AS TIMESTAMPTZ) AS as_of, event_at, CAST(round(date_diff('second', CAST(event_at AS TIMESTAMPTZ), CAST(CAST($as_of AS TIMESTAMPTZ) AS TIMESTAMPTZ)) / 3600.0, 1) AS DECIMAL(12,1)) AS age_hours, "_outcome", "_n", left_rows, right_rows
  FROM found_rows
)
SELECT "run_id", "exception_id", "rule_id", "workflow", "exception_type", "severity", "owner", "fix_in", "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", "field", "left_value", "right_value", "difference", "value_at_risk", "currency", "as_of", "event_at", "age_hours", CASE "_outcome" WHEN 0 THEN 'invoice ' || coalesce(CAST("invoice_id" AS VARCHAR), '-') || ' line ' || coalesce(CAST("line_no" AS VARCHAR), '-') || ' is posted ' || coalesce(CAST("left_value" AS VARCHAR), '-') || ' times' END AS message, CASE WHEN left_rows IS NULL OR len(left_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(left_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(left_rows) > 10 THEN ';…(+' || CAST(len(left_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS left_lineage, CASE WHEN right_rows IS NULL OR len(right_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(right_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(right_rows) > 10 THEN ';…(+' || CAST(len(right_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS right_lineage
FROM final
