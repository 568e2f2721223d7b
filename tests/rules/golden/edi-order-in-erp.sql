WITH
"l_rows" AS (
  SELECT NULLIF(upper(trim(CAST("customer_po" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__customer_po", "customer_id", "customer_name", "po_currency", "po_value", "site", CAST(TIMEZONE('UTC', CAST("received_at" AS TIMESTAMP)) AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM (SELECT b.*, lk0."received_at" AS "received_at", lk1."po_value" AS "po_value", lk1."po_currency" AS "po_currency" FROM "edi"."orders" AS b LEFT JOIN (SELECT "partner_id", "transaction_set", "interchange_control", "control_number", min("sent_at") AS "received_at" FROM "edi"."edi_documents" GROUP BY "partner_id", "transaction_set", "interchange_control", "control_number") AS lk0 ON lk0."partner_id" IS NOT DISTINCT FROM b."partner_id" AND lk0."transaction_set" IS NOT DISTINCT FROM b."transaction_set" AND lk0."interchange_control" IS NOT DISTINCT FROM b."_interchange_control" AND lk0."control_number" IS NOT DISTINCT FROM b."_set_control" LEFT JOIN (SELECT "partner_id", "order_id", "_interchange_control", "_set_control", SUM("qty" * "unit_price") AS "po_value", min("currency") AS "po_currency" FROM "edi"."order_lines" GROUP BY "partner_id", "order_id", "_interchange_control", "_set_control") AS lk1 ON lk1."partner_id" IS NOT DISTINCT FROM b."partner_id" AND lk1."order_id" IS NOT DISTINCT FROM b."order_id" AND lk1."_interchange_control" IS NOT DISTINCT FROM b."_interchange_control" AND lk1."_set_control" IS NOT DISTINCT FROM b."_set_control") AS t
  WHERE COALESCE("transaction_set", '850') = '850'
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("customer_po" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__customer_po", "customer_id", "customer_name", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM "erp"."orders" AS t
  WHERE NOT "customer_po" IS NULL
),
"l_side" AS (
  SELECT *, TRUE AS "_here"
  FROM "l_rows"
),
"r_side" AS (
  SELECT *, TRUE AS "_here"
  FROM "r_rows"
),
"cand" AS (
  SELECT l."k__customer_po" AS "k__customer_po", l."customer_id" AS "l__customer_id", l."customer_name" AS "l__customer_name", l."po_currency" AS "l__po_currency", l."po_value" AS "l__po_value", l."site" AS "l__site", l."_event" AS "l___event", l."_here" AS "l___here", l."_id" AS "l___id", l."_row" AS "l___row", r."customer_id" AS "r__customer_id", r."customer_name" AS "r__customer_name", r."_event" AS "r___event", r."_here" AS "r___here", r."_id" AS "r___id", r."_row" AS "r___row"
  FROM "l_side" AS l JOIN "r_side" AS r ON l."k__customer_po" IS NOT DISTINCT FROM r."k__customer_po"
),
"cand_scored" AS (
  SELECT *, CASE WHEN NOT coalesce("_s0" IS NOT NULL, FALSE) THEN recon_rf_token_set_ratio(CAST("l__customer_name" AS VARCHAR), CAST("r__customer_name" AS VARCHAR)) END AS "_s1"
  FROM (SELECT *, CASE WHEN ("l__customer_id") IS NOT NULL AND ("l__customer_id") = ("r__customer_id") THEN 100.0 END AS "_s0"
  FROM "cand") AS "s0"
),
"c0" AS (
  SELECT *, count(*) OVER (PARTITION BY "l___id", "_level", "_score") AS "_ties_l", count(*) OVER (PARTITION BY "r___id", "_level", "_score") AS "_ties_r"
  FROM (SELECT *, CASE WHEN "_s0" IS NOT NULL THEN 1 WHEN "_s1" >= 70 THEN 2 END AS "_level", CASE WHEN "_s0" IS NOT NULL THEN "_s0" WHEN "_s1" >= 70 THEN "_s1" END AS "_score" FROM "cand_scored" WHERE "_s0" IS NOT NULL OR "_s1" >= 70) AS s
),
"l_multi" AS (
  SELECT "l___id" FROM "c0" GROUP BY "l___id" HAVING count(*) > 1
),
"r_multi" AS (
  SELECT "r___id" FROM "c0" GROUP BY "r___id" HAVING count(*) > 1
),
"m1" AS (
  SELECT "k__customer_po", "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___event", "l___here", "l___id", "l___row", "r__customer_id", "r__customer_name", "r___event", "r___here", "r___id", "r___row", "_ties_l", "_ties_r" FROM "c0" WHERE coalesce("l___id" NOT IN (SELECT "l___id" FROM "l_multi") AND "r___id" NOT IN (SELECT "r___id" FROM "r_multi"), FALSE)
  UNION ALL
  SELECT "k__customer_po", "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___event", "l___here", "l___id", "l___row", "r__customer_id", "r__customer_name", "r___event", "r___here", "r___id", "r___row", "_ties_l", "_ties_r" FROM "c0" WHERE NOT coalesce("l___id" NOT IN (SELECT "l___id" FROM "l_multi") AND "r___id" NOT IN (SELECT "r___id" FROM "r_multi"), FALSE)
  QUALIFY row_number() OVER (PARTITION BY "l___id" ORDER BY "_level", "_score" DESC, "r__customer_id", "r__customer_name", "r___id") = 1 AND row_number() OVER (PARTITION BY "r___id" ORDER BY "_level", "_score" DESC, "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___id") = 1
),
"c1" AS (
  SELECT * FROM "c0"
  WHERE "l___id" NOT IN (SELECT "l___id" FROM "m1") AND "r___id" NOT IN (SELECT "r___id" FROM "m1")
),
"m2" AS (
  SELECT "k__customer_po", "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___event", "l___here", "l___id", "l___row", "r__customer_id", "r__customer_name", "r___event", "r___here", "r___id", "r___row", "_ties_l", "_ties_r" FROM "c1"
  QUALIFY row_number() OVER (PARTITION BY "l___id" ORDER BY "_level", "_score" DESC, "r__customer_id", "r__customer_name", "r___id") = 1 AND row_number() OVER (PARTITION BY "r___id" ORDER BY "_level", "_score" DESC, "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___id") = 1
),
"c2" AS (
  SELECT * FROM "c1"
  WHERE "l___id" NOT IN (SELECT "l___id" FROM "m2") AND "r___id" NOT IN (SELECT "r___id" FROM "m2")
),
"m3" AS (
  SELECT "k__customer_po", "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___event", "l___here", "l___id", "l___row", "r__customer_id", "r__customer_name", "r___event", "r___here", "r___id", "r___row", "_ties_l", "_ties_r" FROM "c2"
  QUALIFY row_number() OVER (PARTITION BY "l___id" ORDER BY "_level", "_score" DESC, "r__customer_id", "r__customer_name", "r___id") = 1 AND row_number() OVER (PARTITION BY "r___id" ORDER BY "_level", "_score" DESC, "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___id") = 1
),
"matched" AS (
  SELECT * FROM "m1"
  UNION ALL SELECT * FROM "m2"
  UNION ALL SELECT * FROM "m3"
),
"pairs" AS (
  SELECT "k__customer_po", "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___event", "l___here", "l___id", "l___row", "r__customer_id", "r__customer_name", "r___event", "r___here", "r___id", "r___row", "_ties_l" > 1 OR "_ties_r" > 1 AS "_ambiguous" FROM "matched"
  UNION ALL SELECT l."k__customer_po", l."customer_id" AS "l__customer_id", l."customer_name" AS "l__customer_name", l."po_currency" AS "l__po_currency", l."po_value" AS "l__po_value", l."site" AS "l__site", l."_event" AS "l___event", l."_here" AS "l___here", l."_id" AS "l___id", l."_row" AS "l___row", CAST(NULL AS VARCHAR) AS "r__customer_id", CAST(NULL AS VARCHAR) AS "r__customer_name", CAST(NULL AS TIMESTAMPTZ) AS "r___event", CAST(NULL AS BOOLEAN) AS "r___here", CAST(NULL AS VARCHAR) AS "r___id", CAST(NULL AS STRUCT(f VARCHAR, r BIGINT)) AS "r___row", FALSE FROM "l_side" AS l WHERE l."_id" NOT IN (SELECT "l___id" FROM "matched")
  UNION ALL SELECT r."k__customer_po", CAST(NULL AS VARCHAR) AS "l__customer_id", CAST(NULL AS VARCHAR) AS "l__customer_name", CAST(NULL AS VARCHAR) AS "l__po_currency", CAST(NULL AS DECIMAL(18,4)) AS "l__po_value", CAST(NULL AS VARCHAR) AS "l__site", CAST(NULL AS TIMESTAMPTZ) AS "l___event", CAST(NULL AS BOOLEAN) AS "l___here", CAST(NULL AS VARCHAR) AS "l___id", CAST(NULL AS STRUCT(f VARCHAR, r BIGINT)) AS "l___row", r."customer_id" AS "r__customer_id", r."customer_name" AS "r__customer_name", r."_event" AS "r___event", r."_here" AS "r___here", r."_id" AS "r___id", r."_row" AS "r___row", FALSE FROM "r_side" AS r WHERE r."_id" NOT IN (SELECT "r___id" FROM "matched")
),
"findings" AS (
  SELECT 0 AS "_outcome", 'edi-order-missing-in-erp' AS exception_type, 'high' AS severity, 'operations' AS owner, 'erp' AS fix_in, CAST(NULL AS VARCHAR) AS "order_id", CAST(NULL AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST(NULL AS VARCHAR) AS "item_id", CAST("l__site" AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST("l__customer_id" AS VARCHAR) AS "customer_id", CAST("k__customer_po" AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST(NULL AS VARCHAR) AS field, CAST(NULL AS VARCHAR) AS left_value, CAST(NULL AS VARCHAR) AS right_value, CAST(NULL AS DECIMAL(18,4)) AS difference, CAST(round("l__po_value", 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("l__po_currency" AS VARCHAR) AS currency, CAST("l___event" AS TIMESTAMPTZ) AS event_at, CAST("l___row" AS STRUCT(f VARCHAR, r BIGINT)) AS left_rows, CAST("r___row" AS STRUCT(f VARCHAR, r BIGINT)) AS right_rows, coalesce(CAST("k__customer_po" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND (CAST("l___event" AS TIMESTAMPTZ) < CAST($as_of AS TIMESTAMPTZ) - INTERVAL 14400 SECOND)
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
  SELECT $run_id AS run_id, left(sha256('edi-order-in-erp' || '|' || exception_type || '|' || "_key"), 16) AS exception_id, 'edi-order-in-erp' AS rule_id, 'edi' AS workflow, exception_type, severity, owner, fix_in, "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", field, left_value, right_value, difference, value_at_risk, currency, CAST($as_of AS TIMESTAMPTZ) AS as_of, event_at, CAST(round(date_diff('second', CAST(event_at AS TIMESTAMPTZ), CAST(CAST($as_of AS TIMESTAMPTZ) AS TIMESTAMPTZ)) / 3600.0, 1) AS DECIMAL(12,1)) AS age_hours, "_outcome", "_n", left_rows, right_rows
  FROM found
)
SELECT "run_id", "exception_id", "rule_id", "workflow", "exception_type", "severity", "owner", "fix_in", "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", "field", "left_value", "right_value", "difference", "value_at_risk", "currency", "as_of", "event_at", "age_hours", CASE "_outcome" WHEN 0 THEN 'PO ' || coalesce(CAST("customer_po" AS VARCHAR), '-') || ' from customer ' || coalesce(CAST("customer_id" AS VARCHAR), '-') || ' arrived ' || coalesce(CAST("age_hours" AS VARCHAR), '-') || 'h ago and has no ERP order' END AS message, CASE WHEN left_rows IS NULL OR len(left_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(left_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(left_rows) > 10 THEN ';…(+' || CAST(len(left_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS left_lineage, CASE WHEN right_rows IS NULL OR len(right_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(right_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(right_rows) > 10 THEN ';…(+' || CAST(len(right_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS right_lineage
FROM final
