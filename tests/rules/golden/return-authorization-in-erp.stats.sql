WITH
"uom_conv" AS (
  SELECT item_id, from_uom, to_uom, CASE WHEN min(factor) = max(factor) THEN min(factor) END AS factor
  FROM (SELECT trim(CAST(item_id AS VARCHAR)) AS item_id, (CASE nullif(upper(trim(CAST(from_uom AS VARCHAR))), '') WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE nullif(upper(trim(CAST(from_uom AS VARCHAR))), '') END) AS from_uom, (CASE nullif(upper(trim(CAST(to_uom AS VARCHAR))), '') WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE nullif(upper(trim(CAST(to_uom AS VARCHAR))), '') END) AS to_uom, CAST(factor AS DECIMAL(24,10)) AS factor FROM (
    SELECT CAST(NULL AS VARCHAR) AS "item_id", CAST(NULL AS VARCHAR) AS "from_uom", CAST(NULL AS VARCHAR) AS "to_uom", CAST(NULL AS DECIMAL(24,10)) AS "factor" WHERE FALSE
  ) AS c
  WHERE factor > 0) AS n
  GROUP BY item_id, from_uom, to_uom
),
"uom_base" AS (
  SELECT item_id, CASE WHEN count(DISTINCT to_uom) = 1 THEN min(to_uom) END AS base
  FROM "uom_conv" WHERE item_id <> '*' GROUP BY item_id
),
"l_rows" AS (
  SELECT NULLIF(upper(trim(CAST("rma_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__document", NULLIF(upper(trim(CAST("item_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__item_id", "currency", "order_id", "order_price", "price_180", CASE WHEN "_uom_factor" = 1 THEN CAST("qty" AS DECIMAL(18,4)) ELSE CAST(CAST("qty" AS DECIMAL(18,4)) * "_uom_factor" AS DECIMAL(18,4)) END AS "qty", "_uom", CAST(COALESCE("received_at", "sent_at") AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT r.*, f."_uom_factor", f."_uom"
  FROM (SELECT b.*, CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM (SELECT b.*, lk0."sent_at" AS "sent_at", lk1."order_price" AS "order_price", lk1."currency" AS "currency", lk2."price_180" AS "price_180" FROM "edi"."returns" AS b LEFT JOIN (SELECT "partner_id", "interchange_control", "control_number", MIN(TIMEZONE('UTC', CAST("sent_at" AS TIMESTAMP))) AS "sent_at" FROM "edi"."edi_documents" WHERE "transaction_set" = '180' GROUP BY "partner_id", "interchange_control", "control_number") AS lk0 ON lk0."partner_id" IS NOT DISTINCT FROM b."partner_id" AND lk0."interchange_control" IS NOT DISTINCT FROM b."_interchange_control" AND lk0."control_number" IS NOT DISTINCT FROM b."_set_control" LEFT JOIN (SELECT "order_id", "item_id", MAX("unit_price") AS "order_price", MIN("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "order_id", "item_id") AS lk1 ON lk1."order_id" IS NOT DISTINCT FROM b."order_id" AND lk1."item_id" IS NOT DISTINCT FROM b."item_id" LEFT JOIN (SELECT "rma_id", "item_id", MAX(TRY_CAST("unit_price" AS DECIMAL(18, 4))) AS "price_180" FROM "edi"."returns" GROUP BY "rma_id", "item_id") AS lk2 ON lk2."rma_id" IS NOT DISTINCT FROM b."rma_id" AND lk2."item_id" IS NOT DISTINCT FROM b."item_id") AS b) AS r
  LEFT JOIN (SELECT c."_uom_i", c."_uom_u", coalesce((CASE WHEN c."_uom_code" = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END), CAST(1 AS DECIMAL(24,10))) AS "_uom_factor", CASE WHEN (CASE WHEN c."_uom_code" = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END) IS NULL THEN c."_uom_code" ELSE (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) END AS "_uom"
  FROM (SELECT p.*, trim(p."_uom_i") AS "_uom_item", (CASE nullif(upper(trim(CAST(p."_uom_u" AS VARCHAR))), '') WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE nullif(upper(trim(CAST(p."_uom_u" AS VARCHAR))), '') END) AS "_uom_code" FROM (SELECT DISTINCT CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM "edi"."returns" AS b) AS p) AS c
  LEFT JOIN "uom_base" AS ub ON ub.item_id = c."_uom_item"
  LEFT JOIN "uom_conv" AS ui ON ui.item_id = c."_uom_item" AND ui.from_uom = c."_uom_code" AND ui.to_uom = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END)
  LEFT JOIN "uom_conv" AS uw ON uw.item_id = '*' AND uw.from_uom = c."_uom_code" AND uw.to_uom = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END)) AS f ON f."_uom_i" IS NOT DISTINCT FROM r."_uom_i" AND f."_uom_u" IS NOT DISTINCT FROM r."_uom_u") AS t
  WHERE NOT "item_id" IS NULL
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("rma_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__document", NULLIF(upper(trim(CAST("item_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__item_id", "order_id", CASE WHEN "_uom_factor" = 1 THEN CAST("qty" AS DECIMAL(18,4)) ELSE CAST(CAST("qty" AS DECIMAL(18,4)) * "_uom_factor" AS DECIMAL(18,4)) END AS "qty", "_uom", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT r.*, f."_uom_factor", f."_uom"
  FROM (SELECT b.*, CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM "erp"."returns" AS b) AS r
  LEFT JOIN (SELECT c."_uom_i", c."_uom_u", coalesce((CASE WHEN c."_uom_code" = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END), CAST(1 AS DECIMAL(24,10))) AS "_uom_factor", CASE WHEN (CASE WHEN c."_uom_code" = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END) IS NULL THEN c."_uom_code" ELSE (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) END AS "_uom"
  FROM (SELECT p.*, trim(p."_uom_i") AS "_uom_item", (CASE nullif(upper(trim(CAST(p."_uom_u" AS VARCHAR))), '') WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE nullif(upper(trim(CAST(p."_uom_u" AS VARCHAR))), '') END) AS "_uom_code" FROM (SELECT DISTINCT CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM "erp"."returns" AS b) AS p) AS c
  LEFT JOIN "uom_base" AS ub ON ub.item_id = c."_uom_item"
  LEFT JOIN "uom_conv" AS ui ON ui.item_id = c."_uom_item" AND ui.from_uom = c."_uom_code" AND ui.to_uom = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END)
  LEFT JOIN "uom_conv" AS uw ON uw.item_id = '*' AND uw.from_uom = c."_uom_code" AND uw.to_uom = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END)) AS f ON f."_uom_i" IS NOT DISTINCT FROM r."_uom_i" AND f."_uom_u" IS NOT DISTINCT FROM r."_uom_u") AS t
),
"l_side" AS (
  SELECT "k__document", "k__item_id", sum("qty") AS "qty", max("price_180") AS "price_180", max("order_price") AS "order_price", min("currency") AS "currency", min("order_id") AS "order_id", CASE WHEN min("_uom") = max("_uom") THEN min("_uom") ELSE min("_uom") || '+' || max("_uom") END AS "_uom", min("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__document", "k__item_id"
),
"r_side" AS (
  SELECT "k__document", "k__item_id", sum("qty") AS "qty", min("order_id") AS "order_id", CASE WHEN min("_uom") = max("_uom") THEN min("_uom") ELSE min("_uom") || '+' || max("_uom") END AS "_uom", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__document", "k__item_id"
),
"pairs" AS (
  SELECT *, ((("l__qty") IS NULL AND ("r__qty") IS NULL) OR (("l__qty") IS NOT NULL AND ("r__qty") IS NOT NULL AND (abs(("l__qty") - ("r__qty")) <= 0))) AS "_ok0" FROM (
  SELECT coalesce(l."k__document", r."k__document") AS "k__document", coalesce(l."k__item_id", r."k__item_id") AS "k__item_id", l."currency" AS "l__currency", l."order_id" AS "l__order_id", l."order_price" AS "l__order_price", l."price_180" AS "l__price_180", l."qty" AS "l__qty", l."_event" AS "l___event", l."_here" AS "l___here", l."_uom" AS "l___uom", r."order_id" AS "r__order_id", r."qty" AS "r__qty", r."_event" AS "r___event", r."_here" AS "r___here", r."_uom" AS "r___uom", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__document" IS NOT DISTINCT FROM r."k__document" AND l."k__item_id" IS NOT DISTINCT FROM r."k__item_id"
  ) AS p
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND "_ok0" AND NOT coalesce(coalesce("l___uom" <> "r___uom", FALSE), FALSE) AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL
) AS checked
