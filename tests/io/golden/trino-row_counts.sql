SELECT
  COUNT(*) AS "total_rows",
  COUNT(*) FILTER(WHERE
    "t1"."arm" = 'holdout') AS "holdout_rows",
  COUNT(*) FILTER(WHERE
    COALESCE("t1"."customer_id" IS NULL, FALSE)) AS "unit_missing_count",
  COUNT(*) FILTER(WHERE
    COALESCE((
      "t1"."arm" = 'holdout'
    ) AND COALESCE("t1"."__relevance_sent", FALSE), FALSE)) AS "holdout_sent_count",
  MIN("t1"."customer_id") FILTER(WHERE
    (
      "t1"."arm" = 'holdout'
    ) AND COALESCE("t1"."__relevance_sent", FALSE)) AS "holdout_sent_unit",
  COUNT(*) FILTER(WHERE
    COALESCE(NOT (
      "t1"."sent" IS NULL
    ) AND (
      "t1"."__relevance_sent" IS NULL
    ), FALSE)) AS "sent_invalid_count",
  MIN("t1"."customer_id") FILTER(WHERE
    NOT (
      "t1"."sent" IS NULL
    ) AND (
      "t1"."__relevance_sent" IS NULL
    )) AS "sent_invalid_unit",
  COUNT(*) FILTER(WHERE
    COALESCE("t1"."purchased" IS NULL, FALSE)) AS "m0_missing_count",
  MIN("t1"."customer_id") FILTER(WHERE
    "t1"."purchased" IS NULL) AS "m0_missing_unit",
  COUNT(*) FILTER(WHERE
    COALESCE(
      NOT (
        "t1"."purchased" IS NULL
      ) AND (
        "t1"."__relevance_number_0" IS NULL
      ),
      FALSE
    )) AS "m0_invalid_count",
  MIN("t1"."customer_id") FILTER(WHERE
    NOT (
      "t1"."purchased" IS NULL
    ) AND (
      "t1"."__relevance_number_0" IS NULL
    )) AS "m0_invalid_unit",
  COUNT(*) FILTER(WHERE
    COALESCE(
      (
        "t1"."__relevance_number_0" IS NOT NULL
      )
      AND NOT (
        "t1"."__relevance_number_0" IN (CAST(0.0 AS DOUBLE), CAST(1.0 AS DOUBLE))
      ),
      FALSE
    )) AS "m0_nonbinary_count",
  MIN("t1"."customer_id") FILTER(WHERE
    (
      "t1"."__relevance_number_0" IS NOT NULL
    )
    AND NOT (
      "t1"."__relevance_number_0" IN (CAST(0.0 AS DOUBLE), CAST(1.0 AS DOUBLE))
    )) AS "m0_nonbinary_unit",
  COUNT(*) FILTER(WHERE
    COALESCE(
      (
        "t1"."revenue" IS NULL
      )
      AND NOT (
        COALESCE(IS_NAN("t1"."revenue"), FALSE)
      ),
      FALSE
    )) AS "m1_missing_count",
  MIN("t1"."customer_id") FILTER(WHERE
    (
      "t1"."revenue" IS NULL
    )
    AND NOT (
      COALESCE(IS_NAN("t1"."revenue"), FALSE)
    )) AS "m1_missing_unit",
  COUNT(*) FILTER(WHERE
    COALESCE(
      NOT (
        (
          "t1"."revenue" IS NULL
        )
        AND NOT (
          COALESCE(IS_NAN("t1"."revenue"), FALSE)
        )
      )
      AND (
        "t1"."__relevance_number_1" IS NULL
      ),
      FALSE
    )) AS "m1_invalid_count",
  MIN("t1"."customer_id") FILTER(WHERE
    NOT (
      (
        "t1"."revenue" IS NULL
      )
      AND NOT (
        COALESCE(IS_NAN("t1"."revenue"), FALSE)
      )
    )
    AND (
      "t1"."__relevance_number_1" IS NULL
    )) AS "m1_invalid_unit",
  COUNT(*) FILTER(WHERE
    COALESCE(COALESCE("t1"."__relevance_number_1" < 0, FALSE), FALSE)) AS "m1_negative_count",
  MIN("t1"."customer_id") FILTER(WHERE
    COALESCE("t1"."__relevance_number_1" < 0, FALSE)) AS "m1_negative_unit"
FROM (
  SELECT
    "t0"."customer_id",
    "t0"."arm",
    "t0"."customer's lifecycle stage",
    "t0"."emails_prior_7d",
    "t0"."sent",
    "t0"."purchased",
    "t0"."revenue",
    "t0"."sent" AS "__relevance_sent",
    CASE
      WHEN COALESCE(
        REGEXP_LIKE(
          "t0"."purchased",
          '^[ 	
]*(?:[Tt][Rr][Uu][Ee]|[Tt])[ 	
]*$'
        ),
        FALSE
      )
      THEN CAST(1.0 AS DOUBLE)
      WHEN COALESCE(
        REGEXP_LIKE(
          "t0"."purchased",
          '^[ 	
]*(?:[Ff][Aa][Ll][Ss][Ee]|[Ff])[ 	
]*$'
        ),
        FALSE
      )
      THEN CAST(0.0 AS DOUBLE)
      ELSE CASE
        WHEN COALESCE(
          (
            LENGTH("t0"."purchased") <= 64
          )
          AND REGEXP_LIKE(
            "t0"."purchased",
            '^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{1,2})?$'
          ),
          FALSE
        )
        THEN CAST("t0"."purchased" AS DOUBLE)
        WHEN COALESCE(
          (
            LENGTH("t0"."purchased") <= 64
          )
          AND REGEXP_LIKE(
            "t0"."purchased",
            '^[ 	
]*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
          ),
          FALSE
        )
        THEN CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE)
        ELSE CAST(NULL AS DOUBLE)
      END
    END AS "__relevance_number_0",
    IF(
      COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
      "t0"."revenue",
      CAST(NULL AS DOUBLE)
    ) AS "__relevance_number_1"
  FROM (
    SELECT
      *
    FROM analytics.sends
    WHERE
      campaign = 'w47'
  ) AS "t0"
) AS "t1"
