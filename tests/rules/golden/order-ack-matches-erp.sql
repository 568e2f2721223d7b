WITH
"l_rows" AS (
  SELECT NULLIF(upper(trim(CAST("order_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__customer_po", "line_no" AS "k__line_no", "accepted_qty", "unit_price", CAST("acked_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."direction" AS "direction", lk1."accepted_qty" AS "accepted_qty" FROM "edi"."order_acks" AS b LEFT JOIN (SELECT "partner_id", "interchange_control", "control_number", min("direction") AS "direction" FROM "edi"."edi_documents" WHERE "transaction_set" = '855' GROUP BY "partner_id", "interchange_control", "control_number") AS lk0 ON lk0."partner_id" IS NOT DISTINCT FROM b."partner_id" AND lk0."interchange_control" IS NOT DISTINCT FROM b."_interchange_control" AND lk0."control_number" IS NOT DISTINCT FROM b."_set_control" LEFT JOIN (SELECT "order_id", "line_no", "_interchange_control", "_set_control", SUM(CASE WHEN COALESCE("status", '') IN ('IR', 'ID', 'R1', 'R2', 'R3', 'R4', 'R5') THEN 0 ELSE COALESCE("ack_qty", "qty") END) AS "accepted_qty" FROM "edi"."order_acks" GROUP BY "order_id", "line_no", "_interchange_control", "_set_control") AS lk1 ON lk1."order_id" IS NOT DISTINCT FROM b."order_id" AND lk1."line_no" IS NOT DISTINCT FROM b."line_no" AND lk1."_interchange_control" IS NOT DISTINCT FROM b."_interchange_control" AND lk1."_set_control" IS NOT DISTINCT FROM b."_set_control") AS t
  WHERE NOT "line_no" IS NULL AND "direction" = 'outbound'
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("customer_po" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__customer_po", "line_no" AS "k__line_no", "currency", "open_qty", "order_id", "unit_price", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."customer_po" AS "customer_po", lk1."open_qty" AS "open_qty" FROM "erp"."order_lines" AS b LEFT JOIN (SELECT "order_id", min("customer_po") AS "customer_po" FROM "erp"."orders" GROUP BY "order_id") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" LEFT JOIN (SELECT "order_id", "line_no", SUM(CASE WHEN COALESCE("status", '') = 'CANCELLED' THEN 0 ELSE "qty" END) AS "open_qty" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk1 ON lk1."order_id" IS NOT DISTINCT FROM b."order_id" AND lk1."line_no" IS NOT DISTINCT FROM b."line_no") AS t
),
"l_side" AS (
  SELECT "k__customer_po", "k__line_no", max("accepted_qty") AS "accepted_qty", max("unit_price") AS "unit_price", max("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__customer_po", "k__line_no"
),
"r_side" AS (
  SELECT "k__customer_po", "k__line_no", sum("open_qty") AS "open_qty", max("unit_price") AS "unit_price", min("order_id") AS "order_id", min("currency") AS "currency", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__customer_po", "k__line_no"
),
"pairs" AS (
  SELECT *, ((("l__accepted_qty") IS NULL AND ("r__open_qty") IS NULL) OR (("l__accepted_qty") IS NOT NULL AND ("r__open_qty") IS NOT NULL AND (abs(("l__accepted_qty") - ("r__open_qty")) <= 0))) AS "_ok0", (("l__unit_price") IS NULL OR ("r__unit_price") IS NULL OR (abs(("l__unit_price") - ("r__unit_price")) <= 0.01)) AS "_ok1" FROM (
  SELECT coalesce(l."k__customer_po", r."k__customer_po") AS "k__customer_po", coalesce(l."k__line_no", r."k__line_no") AS "k__line_no", l."accepted_qty" AS "l__accepted_qty", l."unit_price" AS "l__unit_price", l."_event" AS "l___event", l."_here" AS "l___here", r."currency" AS "r__currency", r."open_qty" AS "r__open_qty", r."order_id" AS "r__order_id", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__customer_po" IS NOT DISTINCT FROM r."k__customer_po" AND l."k__line_no" IS NOT DISTINCT FROM r."k__line_no"
  ) AS p
),
"findings" AS (
  SELECT 0 AS "_outcome", 'order-ack-line-not-in-erp' AS exception_type, 'medium' AS severity, 'operations' AS owner, 'erp' AS fix_in, CAST(NULL AS VARCHAR) AS "order_id", CAST("k__line_no" AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST(NULL AS VARCHAR) AS "item_id", CAST(NULL AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST("k__customer_po" AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('qty' AS VARCHAR) AS field, CAST(regexp_replace(CAST(CAST("l__accepted_qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS left_value, CAST(regexp_replace(CAST(CAST("r__open_qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS right_value, CAST(NULL AS DECIMAL(18,4)) AS difference, CAST(round("l__accepted_qty" * "l__unit_price", 2) AS DECIMAL(18,2)) AS value_at_risk, CAST('USD' AS VARCHAR) AS currency, CAST("l___event" AS TIMESTAMPTZ) AS event_at, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__customer_po" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND TRUE
  UNION ALL
  SELECT 1 AS "_outcome", 'order-ack-qty-mismatch' AS exception_type, 'medium' AS severity, 'operations' AS owner, 'edi' AS fix_in, CAST("r__order_id" AS VARCHAR) AS "order_id", CAST("k__line_no" AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST(NULL AS VARCHAR) AS "item_id", CAST(NULL AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST("k__customer_po" AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('qty' AS VARCHAR) AS field, CAST(regexp_replace(CAST(CAST("l__accepted_qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS left_value, CAST(regexp_replace(CAST(CAST("r__open_qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS right_value, CAST(CAST(("l__accepted_qty") - ("r__open_qty") AS DECIMAL(18,4)) AS DECIMAL(18,4)) AS difference, CAST(round(ABS("l__accepted_qty" - "r__open_qty") * "r__unit_price", 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("r__currency" AS VARCHAR) AS currency, CAST("l___event" AS TIMESTAMPTZ) AS event_at, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__customer_po" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND TRUE
  UNION ALL
  SELECT 2 AS "_outcome", 'order-ack-price-mismatch' AS exception_type, 'medium' AS severity, 'finance' AS owner, 'edi' AS fix_in, CAST("r__order_id" AS VARCHAR) AS "order_id", CAST("k__line_no" AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST(NULL AS VARCHAR) AS "item_id", CAST(NULL AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST("k__customer_po" AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('unit_price' AS VARCHAR) AS field, CAST(regexp_replace(CAST(CAST("l__unit_price" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS left_value, CAST(regexp_replace(CAST(CAST("r__unit_price" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS right_value, CAST(CAST(("l__unit_price") - ("r__unit_price") AS DECIMAL(18,4)) AS DECIMAL(18,4)) AS difference, CAST(round(ABS("l__unit_price" - "r__unit_price") * "r__open_qty", 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("r__currency" AS VARCHAR) AS currency, CAST("l___event" AS TIMESTAMPTZ) AS event_at, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__customer_po" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok1" AND TRUE
),
"per_outcome" AS (
  SELECT "_outcome", exception_type, severity, owner, fix_in, "_key", field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(left_value) AS left_value, min(right_value) AS right_value, sum(difference) AS difference, sum(value_at_risk) AS value_at_risk, min(currency) AS currency, min(event_at) AS event_at, count(*) AS "_n"
  FROM findings GROUP BY "_outcome", exception_type, severity, owner, fix_in, "_key", field
),
"found" AS (
  SELECT min("_outcome") AS "_outcome", exception_type, "_key", first(severity ORDER BY "_outcome") AS severity, first(owner ORDER BY "_outcome") AS owner, first(fix_in ORDER BY "_outcome") AS fix_in, first(left_value ORDER BY "_outcome") AS left_value, first(right_value ORDER BY "_outcome") AS right_value, first(difference ORDER BY "_outcome") AS difference, first(value_at_risk ORDER BY "_outcome") AS value_at_risk, first(currency ORDER BY "_outcome") AS currency, string_agg(field, ', ' ORDER BY "_outcome") AS field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(event_at) AS event_at, sum("_n") AS "_n"
  FROM per_outcome GROUP BY exception_type, "_key"
),
"lineage_left_keys" AS (
  SELECT DISTINCT * FROM (
    SELECT 'order-ack-line-not-in-erp' AS exception_type, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__customer_po" AS VARCHAR), '') AS "_key", "k__customer_po" AS "_k0", "k__line_no" AS "_k1" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND TRUE AND "l___here" UNION ALL SELECT 'order-ack-qty-mismatch' AS exception_type, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__customer_po" AS VARCHAR), '') AS "_key", "k__customer_po" AS "_k0", "k__line_no" AS "_k1" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND TRUE AND "l___here" UNION ALL SELECT 'order-ack-price-mismatch' AS exception_type, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__customer_po" AS VARCHAR), '') AS "_key", "k__customer_po" AS "_k0", "k__line_no" AS "_k1" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok1" AND TRUE AND "l___here"
  ) AS w
),
"lineage_left" AS (
  SELECT f.exception_type, f."_key", list_sort(list_distinct(list(x."_row"))) AS left_rows
  FROM "lineage_left_keys" AS f
  JOIN (SELECT * FROM "l_rows" WHERE "k__customer_po" IN (SELECT "_k0" FROM "lineage_left_keys") OR "k__customer_po" IS NULL) AS x ON x."k__customer_po" IS NOT DISTINCT FROM f."_k0" AND x."k__line_no" IS NOT DISTINCT FROM f."_k1"
  GROUP BY f.exception_type, f."_key"
),
"lineage_right_keys" AS (
  SELECT DISTINCT * FROM (
    SELECT 'order-ack-line-not-in-erp' AS exception_type, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__customer_po" AS VARCHAR), '') AS "_key", "k__customer_po" AS "_k0", "k__line_no" AS "_k1" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND TRUE AND "r___here" UNION ALL SELECT 'order-ack-qty-mismatch' AS exception_type, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__customer_po" AS VARCHAR), '') AS "_key", "k__customer_po" AS "_k0", "k__line_no" AS "_k1" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND TRUE AND "r___here" UNION ALL SELECT 'order-ack-price-mismatch' AS exception_type, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__customer_po" AS VARCHAR), '') AS "_key", "k__customer_po" AS "_k0", "k__line_no" AS "_k1" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok1" AND TRUE AND "r___here"
  ) AS w
),
"lineage_right" AS (
  SELECT f.exception_type, f."_key", list_sort(list_distinct(list(x."_row"))) AS right_rows
  FROM "lineage_right_keys" AS f
  JOIN (SELECT * FROM "r_rows" WHERE "k__customer_po" IN (SELECT "_k0" FROM "lineage_right_keys") OR "k__customer_po" IS NULL) AS x ON x."k__customer_po" IS NOT DISTINCT FROM f."_k0" AND x."k__line_no" IS NOT DISTINCT FROM f."_k1"
  GROUP BY f.exception_type, f."_key"
),
"found_rows" AS (
  SELECT found.*, "lineage_left".left_rows, "lineage_right".right_rows
  FROM found LEFT JOIN "lineage_left" ON "lineage_left".exception_type = found.exception_type AND "lineage_left"."_key" = found."_key" LEFT JOIN "lineage_right" ON "lineage_right".exception_type = found.exception_type AND "lineage_right"."_key" = found."_key"
),
"final" AS (
  SELECT $run_id AS run_id, left(sha256('order-ack-matches-erp' || '|' || exception_type || '|' || "_key"), 16) AS exception_id, 'order-ack-matches-erp' AS rule_id, 'edi' AS workflow, exception_type, severity, owner, fix_in, "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", field, left_value, right_value, difference, value_at_risk, currency, CAST($as_of AS TIMESTAMPTZ) AS as_of, event_at, CAST(round(date_diff('second', CAST(event_at AS TIMESTAMPTZ), CAST(CAST($as_of AS TIMESTAMPTZ) AS TIMESTAMPTZ)) / 3600.0, 1) AS DECIMAL(12,1)) AS age_hours, "_outcome", "_n", left_rows, right_rows
  FROM found_rows
)
SELECT "run_id", "exception_id", "rule_id", "workflow", "exception_type", "severity", "owner", "fix_in", "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", "field", "left_value", "right_value", "difference", "value_at_risk", "currency", "as_of", "event_at", "age_hours", CASE "_outcome" WHEN 0 THEN 'PO ' || coalesce(CAST("customer_po" AS VARCHAR), '-') || ' line ' || coalesce(CAST("line_no" AS VARCHAR), '-') || ' is acknowledged in our 855 but the ERP order has no such line' WHEN 1 THEN 'PO ' || coalesce(CAST("customer_po" AS VARCHAR), '-') || ' line ' || coalesce(CAST("line_no" AS VARCHAR), '-') || ': our 855 accepts ' || coalesce(CAST("left_value" AS VARCHAR), '-') || ', the ERP order has ' || coalesce(CAST("right_value" AS VARCHAR), '-') || ' open' WHEN 2 THEN 'PO ' || coalesce(CAST("customer_po" AS VARCHAR), '-') || ' line ' || coalesce(CAST("line_no" AS VARCHAR), '-') || ': our 855 confirms price ' || coalesce(CAST("left_value" AS VARCHAR), '-') || ', the ERP order has ' || coalesce(CAST("right_value" AS VARCHAR), '-') END AS message, CASE WHEN left_rows IS NULL OR len(left_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(left_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(left_rows) > 10 THEN ';…(+' || CAST(len(left_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS left_lineage, CASE WHEN right_rows IS NULL OR len(right_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(right_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(right_rows) > 10 THEN ';…(+' || CAST(len(right_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS right_lineage
FROM final
