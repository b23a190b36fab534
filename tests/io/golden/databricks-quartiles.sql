SELECT
  PERCENTILE(
    IF(
      COALESCE(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS DOUBLE)
        ) > 0,
        FALSE
      ),
      LN(
        IF(
          COALESCE(
            IF(
              COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
              `t0`.`revenue`,
              CAST(NULL AS DOUBLE)
            ) > 0,
            FALSE
          ),
          IF(
            COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
            `t0`.`revenue`,
            CAST(NULL AS DOUBLE)
          ),
          1.0
        )
      ),
      NULL
    ),
    0.25
  ) AS `m0_low`,
  PERCENTILE(
    IF(
      COALESCE(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS DOUBLE)
        ) > 0,
        FALSE
      ),
      LN(
        IF(
          COALESCE(
            IF(
              COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
              `t0`.`revenue`,
              CAST(NULL AS DOUBLE)
            ) > 0,
            FALSE
          ),
          IF(
            COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
            `t0`.`revenue`,
            CAST(NULL AS DOUBLE)
          ),
          1.0
        )
      ),
      NULL
    ),
    0.5
  ) AS `m0_middle`,
  PERCENTILE(
    IF(
      COALESCE(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS DOUBLE)
        ) > 0,
        FALSE
      ),
      LN(
        IF(
          COALESCE(
            IF(
              COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
              `t0`.`revenue`,
              CAST(NULL AS DOUBLE)
            ) > 0,
            FALSE
          ),
          IF(
            COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
            `t0`.`revenue`,
            CAST(NULL AS DOUBLE)
          ),
          1.0
        )
      ),
      NULL
    ),
    0.75
  ) AS `m0_high`,
  MAX(
    IF(
      COALESCE(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS DOUBLE)
        ) > 0,
        FALSE
      ),
      IF(
        COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
        `t0`.`revenue`,
        CAST(NULL AS DOUBLE)
      ),
      NULL
    )
  ) AS `m0_largest`,
  SUM(
    CAST(COALESCE(
      COALESCE(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS DOUBLE)
        ) > 0,
        FALSE
      ),
      FALSE
    ) AS BIGINT)
  ) AS `m0_buyers`
FROM (
  SELECT
    *
  FROM analytics.sends
  WHERE
    campaign = 'w47'
) AS `t0`
