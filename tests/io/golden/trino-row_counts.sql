SELECT
  COUNT(*) AS "total_rows",
  COUNT(*) FILTER(WHERE
    "t0"."arm" = 'holdout') AS "holdout_rows",
  COUNT(*) FILTER(WHERE
    COALESCE("t0"."customer_id" IS NULL, FALSE)) AS "unit_missing_count",
  COUNT(*) FILTER(WHERE
    COALESCE((
      "t0"."arm" = 'holdout'
    ) AND COALESCE("t0"."sent", FALSE), FALSE)) AS "holdout_sent_count",
  MIN("t0"."customer_id") FILTER(WHERE
    (
      "t0"."arm" = 'holdout'
    ) AND COALESCE("t0"."sent", FALSE)) AS "holdout_sent_unit",
  COUNT(*) FILTER(WHERE
    COALESCE(NOT (
      "t0"."sent" IS NULL
    ) AND (
      "t0"."sent" IS NULL
    ), FALSE)) AS "sent_invalid_count",
  MIN("t0"."customer_id") FILTER(WHERE
    NOT (
      "t0"."sent" IS NULL
    ) AND (
      "t0"."sent" IS NULL
    )) AS "sent_invalid_unit",
  COUNT(*) FILTER(WHERE
    COALESCE("t0"."purchased" IS NULL, FALSE)) AS "m0_missing_count",
  MIN("t0"."customer_id") FILTER(WHERE
    "t0"."purchased" IS NULL) AS "m0_missing_unit",
  COUNT(*) FILTER(WHERE
    COALESCE(
      NOT (
        "t0"."purchased" IS NULL
      )
      AND (
        CASE
          WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('true', 't')
          THEN CAST(1.0 AS DOUBLE)
          WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('false', 'f')
          THEN CAST(0.0 AS DOUBLE)
          ELSE IF(
            COALESCE(
              REGEXP_LIKE(
                "t0"."purchased",
                '^[ 	
]*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
              ),
              FALSE
            ),
            CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END IS NULL
      ),
      FALSE
    )) AS "m0_invalid_count",
  MIN("t0"."customer_id") FILTER(WHERE
    NOT (
      "t0"."purchased" IS NULL
    )
    AND (
      CASE
        WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('true', 't')
        THEN CAST(1.0 AS DOUBLE)
        WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('false', 'f')
        THEN CAST(0.0 AS DOUBLE)
        ELSE IF(
          COALESCE(
            REGEXP_LIKE(
              "t0"."purchased",
              '^[ 	
]*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
            ),
            FALSE
          ),
          CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE),
          CAST(NULL AS DOUBLE)
        )
      END IS NULL
    )) AS "m0_invalid_unit",
  COUNT(*) FILTER(WHERE
    COALESCE(
      (
        CASE
          WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('true', 't')
          THEN CAST(1.0 AS DOUBLE)
          WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('false', 'f')
          THEN CAST(0.0 AS DOUBLE)
          ELSE IF(
            COALESCE(
              REGEXP_LIKE(
                "t0"."purchased",
                '^[ 	
]*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
              ),
              FALSE
            ),
            CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END IS NOT NULL
      )
      AND NOT (
        CASE
          WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('true', 't')
          THEN CAST(1.0 AS DOUBLE)
          WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('false', 'f')
          THEN CAST(0.0 AS DOUBLE)
          ELSE IF(
            COALESCE(
              REGEXP_LIKE(
                "t0"."purchased",
                '^[ 	
]*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
              ),
              FALSE
            ),
            CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END IN (CAST(0.0 AS DOUBLE), CAST(1.0 AS DOUBLE))
      ),
      FALSE
    )) AS "m0_nonbinary_count",
  MIN("t0"."customer_id") FILTER(WHERE
    (
      CASE
        WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('true', 't')
        THEN CAST(1.0 AS DOUBLE)
        WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('false', 'f')
        THEN CAST(0.0 AS DOUBLE)
        ELSE IF(
          COALESCE(
            REGEXP_LIKE(
              "t0"."purchased",
              '^[ 	
]*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
            ),
            FALSE
          ),
          CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE),
          CAST(NULL AS DOUBLE)
        )
      END IS NOT NULL
    )
    AND NOT (
      CASE
        WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('true', 't')
        THEN CAST(1.0 AS DOUBLE)
        WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('false', 'f')
        THEN CAST(0.0 AS DOUBLE)
        ELSE IF(
          COALESCE(
            REGEXP_LIKE(
              "t0"."purchased",
              '^[ 	
]*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
            ),
            FALSE
          ),
          CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE),
          CAST(NULL AS DOUBLE)
        )
      END IN (CAST(0.0 AS DOUBLE), CAST(1.0 AS DOUBLE))
    )) AS "m0_nonbinary_unit",
  COUNT(*) FILTER(WHERE
    COALESCE(
      (
        "t0"."revenue" IS NULL
      )
      AND NOT (
        COALESCE(IS_NAN("t0"."revenue"), FALSE)
      ),
      FALSE
    )) AS "m1_missing_count",
  MIN("t0"."customer_id") FILTER(WHERE
    (
      "t0"."revenue" IS NULL
    )
    AND NOT (
      COALESCE(IS_NAN("t0"."revenue"), FALSE)
    )) AS "m1_missing_unit",
  COUNT(*) FILTER(WHERE
    COALESCE(
      NOT (
        (
          "t0"."revenue" IS NULL
        )
        AND NOT (
          COALESCE(IS_NAN("t0"."revenue"), FALSE)
        )
      )
      AND (
        IF(
          COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ) IS NULL
      ),
      FALSE
    )) AS "m1_invalid_count",
  MIN("t0"."customer_id") FILTER(WHERE
    NOT (
      (
        "t0"."revenue" IS NULL
      )
      AND NOT (
        COALESCE(IS_NAN("t0"."revenue"), FALSE)
      )
    )
    AND (
      IF(
        COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
        "t0"."revenue",
        CAST(NULL AS DOUBLE)
      ) IS NULL
    )) AS "m1_invalid_unit",
  COUNT(*) FILTER(WHERE
    COALESCE(
      COALESCE(
        IF(
          COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ) < 0,
        FALSE
      ),
      FALSE
    )) AS "m1_negative_count",
  MIN("t0"."customer_id") FILTER(WHERE
    COALESCE(
      IF(
        COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
        "t0"."revenue",
        CAST(NULL AS DOUBLE)
      ) < 0,
      FALSE
    )) AS "m1_negative_unit"
FROM (
  SELECT
    *
  FROM analytics.sends
  WHERE
    campaign = 'w47'
) AS "t0"
