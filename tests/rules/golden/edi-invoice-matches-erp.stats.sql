WITH
"uom_conv" AS (
  SELECT item_id, from_uom, to_uom, CASE WHEN min(factor) = max(factor) THEN min(factor) END AS factor
  FROM (SELECT item_id, (CASE from_uom WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE from_uom END) AS from_uom, (CASE to_uom WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE to_uom END) AS to_uom, factor FROM (SELECT trim(CAST(item_id AS VARCHAR)) AS item_id, nullif(upper(trim(CAST(from_uom AS VARCHAR))), '') AS from_uom, nullif(upper(trim(CAST(to_uom AS VARCHAR))), '') AS to_uom, CAST(factor AS DECIMAL(24,10)) AS factor FROM (
    SELECT CAST(NULL AS VARCHAR) AS "item_id", CAST(NULL AS VARCHAR) AS "from_uom", CAST(NULL AS VARCHAR) AS "to_uom", CAST(NULL AS DECIMAL(24,10)) AS "factor" WHERE FALSE
  ) AS c
  WHERE factor > 0) AS t) AS n
  GROUP BY item_id, from_uom, to_uom
),
"uom_base" AS (
  SELECT item_id, CASE WHEN count(DISTINCT to_uom) = 1 THEN min(to_uom) END AS base
  FROM "uom_conv" WHERE item_id <> '*' GROUP BY item_id
),
"l_rows" AS (
  SELECT "invoice_id" AS "k__invoice_id", "line_no" AS "k__line_no", "amount", "item_id", CASE WHEN "_uom_factor" = 1 THEN CAST("qty" AS DECIMAL(18,4)) ELSE CAST(CAST("qty" AS DECIMAL(18,4)) * "_uom_factor" AS DECIMAL(18,4)) END AS "qty", "_uom", CAST("invoiced_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT r.*, f."_uom_factor", f."_uom"
  FROM (SELECT b.*, CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM "edi"."invoice_lines" AS b) AS r
  LEFT JOIN (SELECT x."_uom_i", x."_uom_u", coalesce(x."_uom_f", CAST(1 AS DECIMAL(24,10))) AS "_uom_factor", CASE WHEN x."_uom_f" IS NULL THEN x."_uom_code" ELSE x."_uom_base" END AS "_uom" FROM (SELECT c.*, CASE WHEN c."_uom_code" = c."_uom_base" THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END AS "_uom_f"
  FROM (SELECT k.*, CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END AS "_uom_base"
  FROM (SELECT t.*, (CASE t."_uom_text" WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE t."_uom_text" END) AS "_uom_code" FROM (SELECT p.*, trim(p."_uom_i") AS "_uom_item", nullif(upper(trim(CAST(p."_uom_u" AS VARCHAR))), '') AS "_uom_text" FROM (SELECT DISTINCT CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM "edi"."invoice_lines" AS b) AS p) AS t) AS k LEFT JOIN "uom_base" AS ub ON ub.item_id = k."_uom_item") AS c
  LEFT JOIN "uom_conv" AS ui ON ui.item_id = c."_uom_item" AND ui.from_uom = c."_uom_code" AND ui.to_uom = c."_uom_base"
  LEFT JOIN "uom_conv" AS uw ON uw.item_id = '*' AND uw.from_uom = c."_uom_code" AND uw.to_uom = c."_uom_base") AS x) AS f ON f."_uom_i" IS NOT DISTINCT FROM r."_uom_i" AND f."_uom_u" IS NOT DISTINCT FROM r."_uom_u") AS t
),
"r_dedupe" AS (
  SELECT "invoice_id" AS "k__invoice_id", "line_no" AS "k__line_no", "amount", "currency", "item_id", CASE WHEN "_uom_factor" = 1 THEN CAST("qty" AS DECIMAL(18,4)) ELSE CAST(CAST("qty" AS DECIMAL(18,4)) * "_uom_factor" AS DECIMAL(18,4)) END AS "qty", "site", "_uom", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", t."invoice_id" AS "_dd_k0", t."line_no" AS "_dd_k1", t."amount" AS "_dd_o0", t."currency" AS "_dd_o1", t."item_id" AS "_dd_o2", t."qty" AS "_dd_o3", t."site" AS "_dd_o4", t."_source_file" AS "_dd_f", t."_source_row" AS "_dd_r"
  FROM (SELECT r.*, f."_uom_factor", f."_uom"
  FROM (SELECT b.*, CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM (SELECT b.*, lk0."site" AS "site" FROM "erp"."invoice_lines" AS b LEFT JOIN (SELECT "order_id", "line_no", min("site") AS "site" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."line_no" IS NOT DISTINCT FROM b."order_line_no") AS b) AS r
  LEFT JOIN (SELECT x."_uom_i", x."_uom_u", coalesce(x."_uom_f", CAST(1 AS DECIMAL(24,10))) AS "_uom_factor", CASE WHEN x."_uom_f" IS NULL THEN x."_uom_code" ELSE x."_uom_base" END AS "_uom" FROM (SELECT c.*, CASE WHEN c."_uom_code" = c."_uom_base" THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END AS "_uom_f"
  FROM (SELECT k.*, CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END AS "_uom_base"
  FROM (SELECT t.*, (CASE t."_uom_text" WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE t."_uom_text" END) AS "_uom_code" FROM (SELECT p.*, trim(p."_uom_i") AS "_uom_item", nullif(upper(trim(CAST(p."_uom_u" AS VARCHAR))), '') AS "_uom_text" FROM (SELECT DISTINCT CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM "erp"."invoice_lines" AS b) AS p) AS t) AS k LEFT JOIN "uom_base" AS ub ON ub.item_id = k."_uom_item") AS c
  LEFT JOIN "uom_conv" AS ui ON ui.item_id = c."_uom_item" AND ui.from_uom = c."_uom_code" AND ui.to_uom = c."_uom_base"
  LEFT JOIN "uom_conv" AS uw ON uw.item_id = '*' AND uw.from_uom = c."_uom_code" AND uw.to_uom = c."_uom_base") AS x) AS f ON f."_uom_i" IS NOT DISTINCT FROM r."_uom_i" AND f."_uom_u" IS NOT DISTINCT FROM r."_uom_u") AS t
),
"r_dup_keys" AS (
  SELECT "_dd_k0", "_dd_k1", TRUE AS "_dd_dup" FROM "r_dedupe" GROUP BY "_dd_k0", "_dd_k1" HAVING count(*) > 1
),
"r_rows" AS (
  SELECT s."k__invoice_id", s."k__line_no", s."amount", s."currency", s."item_id", s."qty", s."site", s."_uom", s."_event", s."_row" FROM "r_dedupe" AS s LEFT JOIN "r_dup_keys" AS d ON d."_dd_k0" IS NOT DISTINCT FROM s."_dd_k0" AND d."_dd_k1" IS NOT DISTINCT FROM s."_dd_k1" WHERE d."_dd_dup" IS NULL
  UNION ALL
  SELECT s."k__invoice_id", s."k__line_no", s."amount", s."currency", s."item_id", s."qty", s."site", s."_uom", s."_event", s."_row" FROM "r_dedupe" AS s JOIN "r_dup_keys" AS d ON d."_dd_k0" IS NOT DISTINCT FROM s."_dd_k0" AND d."_dd_k1" IS NOT DISTINCT FROM s."_dd_k1"
  QUALIFY row_number() OVER (PARTITION BY s."_dd_k0", s."_dd_k1" ORDER BY s."_dd_o0", s."_dd_o1", s."_dd_o2", s."_dd_o3", s."_dd_o4", (s."_dd_f" || ':' || CAST(s."_dd_r" AS VARCHAR))) = 1
),
"l_side" AS (
  SELECT *, TRUE AS "_here"
  FROM "l_rows"
),
"r_side" AS (
  SELECT *, TRUE AS "_here"
  FROM "r_rows"
),
"pairs" AS (
  SELECT *, ((("l__qty") IS NULL AND ("r__qty") IS NULL) OR (("l__qty") IS NOT NULL AND ("r__qty") IS NOT NULL AND (abs(("l__qty") - ("r__qty")) <= 0))) AS "_ok0", ((("l__amount") IS NULL AND ("r__amount") IS NULL) OR (("l__amount") IS NOT NULL AND ("r__amount") IS NOT NULL AND (abs(("l__amount") - ("r__amount")) <= 0.01))) AS "_ok1" FROM (
  SELECT coalesce(l."k__invoice_id", r."k__invoice_id") AS "k__invoice_id", coalesce(l."k__line_no", r."k__line_no") AS "k__line_no", l."amount" AS "l__amount", l."item_id" AS "l__item_id", l."qty" AS "l__qty", l."_event" AS "l___event", l."_here" AS "l___here", l."_uom" AS "l___uom", l."_row" AS "l___row", r."amount" AS "r__amount", r."currency" AS "r__currency", r."item_id" AS "r__item_id", r."qty" AS "r__qty", r."site" AS "r__site", r."_event" AS "r___event", r."_here" AS "r___here", r."_uom" AS "r___uom", r."_row" AS "r___row", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__invoice_id" IS NOT DISTINCT FROM r."k__invoice_id" AND l."k__line_no" IS NOT DISTINCT FROM r."k__line_no"
  ) AS p
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", bool_and("l___here" IS NOT NULL AND "r___here" IS NOT NULL AND "_ok0" AND "_ok1" AND NOT coalesce(coalesce("l___uom" <> "r___uom", FALSE), FALSE)) AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL
  GROUP BY "k__invoice_id", "k__line_no"
) AS checked
