SELECT
  APPROX_QUANTILES(
    IF(
      COALESCE(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS FLOAT64)
        ) > 0,
        FALSE
      ),
      LN(
        IF(
          COALESCE(
            IF(
              COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
              `t0`.`revenue`,
              CAST(NULL AS FLOAT64)
            ) > 0,
            FALSE
          ),
          IF(
            COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
            `t0`.`revenue`,
            CAST(NULL AS FLOAT64)
          ),
          1.0
        )
      ),
      NULL
    ),
    4 IGNORE NULLS
  )[1] AS `m0_low`,
  APPROX_QUANTILES(
    IF(
      COALESCE(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS FLOAT64)
        ) > 0,
        FALSE
      ),
      LN(
        IF(
          COALESCE(
            IF(
              COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
              `t0`.`revenue`,
              CAST(NULL AS FLOAT64)
            ) > 0,
            FALSE
          ),
          IF(
            COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
            `t0`.`revenue`,
            CAST(NULL AS FLOAT64)
          ),
          1.0
        )
      ),
      NULL
    ),
    2 IGNORE NULLS
  )[1] AS `m0_middle`,
  APPROX_QUANTILES(
    IF(
      COALESCE(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS FLOAT64)
        ) > 0,
        FALSE
      ),
      LN(
        IF(
          COALESCE(
            IF(
              COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
              `t0`.`revenue`,
              CAST(NULL AS FLOAT64)
            ) > 0,
            FALSE
          ),
          IF(
            COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
            `t0`.`revenue`,
            CAST(NULL AS FLOAT64)
          ),
          1.0
        )
      ),
      NULL
    ),
    4 IGNORE NULLS
  )[3] AS `m0_high`,
  MAX(
    IF(
      COALESCE(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS FLOAT64)
        ) > 0,
        FALSE
      ),
      IF(
        COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
        `t0`.`revenue`,
        CAST(NULL AS FLOAT64)
      ),
      NULL
    )
  ) AS `m0_largest`,
  COUNTIF(
    COALESCE(
      COALESCE(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS FLOAT64)
        ) > 0,
        FALSE
      ),
      FALSE
    )
  ) AS `m0_buyers`
FROM (
  SELECT
    *
  FROM analytics.sends
  WHERE
    campaign = 'w47'
) AS `t0`
