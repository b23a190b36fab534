SELECT
  "t2"."__relevance_key_0" AS "arm",
  "t2"."__relevance_key_1" AS "customer's lifecycle stage",
  "t2"."__relevance_key_2" AS "emails_prior_7d",
  COUNT(*) AS "n",
  COUNT_IF(COALESCE("t2"."__relevance_number_0" IN (0.0, 1.0), FALSE)) AS "purchase__n",
  COUNT_IF(COALESCE("t2"."__relevance_number_0" = 1, FALSE)) AS "purchase__ones",
  COUNT_IF(COALESCE("t2"."purchased" IS NULL, FALSE)) AS "purchase__missing",
  COUNT_IF(
    COALESCE(
      NOT (
        "t2"."purchased" IS NULL
      ) AND (
        "t2"."__relevance_number_0" IS NULL
      ),
      FALSE
    )
  ) AS "purchase__invalid",
  COUNT_IF(COALESCE(COALESCE("t2"."__relevance_number_0" < 0, FALSE), FALSE)) AS "purchase__negative",
  COUNT_IF(
    COALESCE(
      (
        "t2"."__relevance_number_0" IS NOT NULL
      )
      AND NOT (
        "t2"."__relevance_number_0" IN (0.0, 1.0)
      ),
      FALSE
    )
  ) AS "purchase__nonbinary",
  COUNT_IF(COALESCE("t2"."__relevance_number_1" >= 0, FALSE)) AS "revenue__n",
  COUNT_IF(COALESCE(COALESCE("t2"."__relevance_number_1" > 0, FALSE), FALSE)) AS "revenue__buyers",
  SUM(
    IFF(
      COALESCE("t2"."__relevance_number_1" > 0, FALSE),
      "t2"."__relevance_amount_units_1",
      CAST(NULL AS DECIMAL(38, 0))
    )
  ) AS "revenue__sum",
  SUM(
    IFF(
      COALESCE("t2"."__relevance_number_1" > 0, FALSE),
      CAST("t2"."__relevance_log_units_1" AS DECIMAL(38, 0)),
      CAST(NULL AS DECIMAL(38, 0))
    )
  ) AS "revenue__sum_log",
  SUM(
    IFF(
      COALESCE("t2"."__relevance_number_1" > 0, FALSE),
      CAST(CAST("t2"."__relevance_log_units_1" AS DECIMAL(38, 0)) * CAST("t2"."__relevance_log_units_1" AS DECIMAL(38, 0)) AS DECIMAL(38, 0)),
      CAST(NULL AS DECIMAL(38, 0))
    )
  ) AS "revenue__sum_log_sq",
  SUM(
    IFF(
      COALESCE("t2"."__relevance_number_1" > 0, FALSE),
      "t2"."__relevance_square_units_1",
      CAST(NULL AS DECIMAL(38, 0))
    )
  ) AS "revenue__sum_sq",
  COUNT_IF(
    COALESCE(
      (
        "t2"."revenue" IS NULL
      )
      AND NOT (
        COALESCE("t2"."revenue" = CAST('NaN' AS DOUBLE), FALSE)
      ),
      FALSE
    )
  ) AS "revenue__missing",
  COUNT_IF(
    COALESCE(
      NOT (
        (
          "t2"."revenue" IS NULL
        )
        AND NOT (
          COALESCE("t2"."revenue" = CAST('NaN' AS DOUBLE), FALSE)
        )
      )
      AND (
        "t2"."__relevance_number_1" IS NULL
      ),
      FALSE
    )
  ) AS "revenue__invalid",
  COUNT_IF(COALESCE(COALESCE("t2"."__relevance_number_1" < 0, FALSE), FALSE)) AS "revenue__negative"
FROM (
  SELECT
    "t1"."customer_id",
    "t1"."arm",
    "t1"."customer's lifecycle stage",
    "t1"."emails_prior_7d",
    "t1"."sent",
    "t1"."purchased",
    "t1"."revenue",
    "t1"."__relevance_key_0",
    "t1"."__relevance_key_1",
    "t1"."__relevance_key_2",
    "t1"."__relevance_number_0",
    "t1"."__relevance_number_1",
    (
      (
        CAST(CAST(FLOOR(ABS("t1"."__relevance_number_1")) AS BIGINT) AS DECIMAL(38, 0)) * 1000000000000
      ) + CAST(CAST(FLOOR(
        (
          ABS("t1"."__relevance_number_1") - CAST(FLOOR(ABS("t1"."__relevance_number_1")) AS BIGINT)
        ) * 1000000000000
      ) AS BIGINT) + IFF(
        (
          (
            (
              ABS("t1"."__relevance_number_1") - CAST(FLOOR(ABS("t1"."__relevance_number_1")) AS BIGINT)
            ) * 1000000000000
          ) - CAST(FLOOR(
            (
              ABS("t1"."__relevance_number_1") - CAST(FLOOR(ABS("t1"."__relevance_number_1")) AS BIGINT)
            ) * 1000000000000
          ) AS BIGINT)
        ) >= 0.5,
        1,
        0
      ) AS DECIMAL(38, 0))
    ) * IFF("t1"."__relevance_number_1" < 0, -1, 1) AS "__relevance_amount_units_1",
    (
      CAST(FLOOR(
        ABS(
          LN(
            IFF(COALESCE("t1"."__relevance_number_1" > 0, FALSE), "t1"."__relevance_number_1", 1.0)
          ) * 1000000000
        )
      ) AS BIGINT) + IFF(
        (
          ABS(
            LN(
              IFF(COALESCE("t1"."__relevance_number_1" > 0, FALSE), "t1"."__relevance_number_1", 1.0)
            ) * 1000000000
          ) - CAST(FLOOR(
            ABS(
              LN(
                IFF(COALESCE("t1"."__relevance_number_1" > 0, FALSE), "t1"."__relevance_number_1", 1.0)
              ) * 1000000000
            )
          ) AS BIGINT)
        ) >= 0.5,
        1,
        0
      )
    ) * IFF(
      (
        LN(
          IFF(COALESCE("t1"."__relevance_number_1" > 0, FALSE), "t1"."__relevance_number_1", 1.0)
        ) * 1000000000
      ) < 0,
      -1,
      1
    ) AS "__relevance_log_units_1",
    (
      (
        (
          CAST(CAST(FLOOR(
            ABS(
              IFF(
                (
                  "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                ) <= 9e+18,
                "t1"."__relevance_number_1" * "t1"."__relevance_number_1",
                0.0
              )
            )
          ) AS BIGINT) AS DECIMAL(38, 0)) * 10000
        ) + CAST(CAST(FLOOR(
          (
            ABS(
              IFF(
                (
                  "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                ) <= 9e+18,
                "t1"."__relevance_number_1" * "t1"."__relevance_number_1",
                0.0
              )
            ) - CAST(FLOOR(
              ABS(
                IFF(
                  (
                    "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                  ) <= 9e+18,
                  "t1"."__relevance_number_1" * "t1"."__relevance_number_1",
                  0.0
                )
              )
            ) AS BIGINT)
          ) * 10000
        ) AS BIGINT) + IFF(
          (
            (
              (
                ABS(
                  IFF(
                    (
                      "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                    ) <= 9e+18,
                    "t1"."__relevance_number_1" * "t1"."__relevance_number_1",
                    0.0
                  )
                ) - CAST(FLOOR(
                  ABS(
                    IFF(
                      (
                        "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                      ) <= 9e+18,
                      "t1"."__relevance_number_1" * "t1"."__relevance_number_1",
                      0.0
                    )
                  )
                ) AS BIGINT)
              ) * 10000
            ) - CAST(FLOOR(
              (
                ABS(
                  IFF(
                    (
                      "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                    ) <= 9e+18,
                    "t1"."__relevance_number_1" * "t1"."__relevance_number_1",
                    0.0
                  )
                ) - CAST(FLOOR(
                  ABS(
                    IFF(
                      (
                        "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                      ) <= 9e+18,
                      "t1"."__relevance_number_1" * "t1"."__relevance_number_1",
                      0.0
                    )
                  )
                ) AS BIGINT)
              ) * 10000
            ) AS BIGINT)
          ) >= 0.5,
          1,
          0
        ) AS DECIMAL(38, 0))
      ) * IFF(
        IFF(
          (
            "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
          ) <= 9e+18,
          "t1"."__relevance_number_1" * "t1"."__relevance_number_1",
          0.0
        ) < 0,
        -1,
        1
      )
    ) + CAST((
      (
        CAST(CAST(FLOOR(
          ABS(
            IFF(
              (
                "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
              ) <= 9e+18,
              0.0,
              "t1"."__relevance_number_1"
            )
          )
        ) AS BIGINT) AS DECIMAL(38, 0)) * 100
      ) + CAST(CAST(FLOOR(
        (
          ABS(
            IFF(
              (
                "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
              ) <= 9e+18,
              0.0,
              "t1"."__relevance_number_1"
            )
          ) - CAST(FLOOR(
            ABS(
              IFF(
                (
                  "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                ) <= 9e+18,
                0.0,
                "t1"."__relevance_number_1"
              )
            )
          ) AS BIGINT)
        ) * 100
      ) AS BIGINT) + IFF(
        (
          (
            (
              ABS(
                IFF(
                  (
                    "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                  ) <= 9e+18,
                  0.0,
                  "t1"."__relevance_number_1"
                )
              ) - CAST(FLOOR(
                ABS(
                  IFF(
                    (
                      "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                    ) <= 9e+18,
                    0.0,
                    "t1"."__relevance_number_1"
                  )
                )
              ) AS BIGINT)
            ) * 100
          ) - CAST(FLOOR(
            (
              ABS(
                IFF(
                  (
                    "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                  ) <= 9e+18,
                  0.0,
                  "t1"."__relevance_number_1"
                )
              ) - CAST(FLOOR(
                ABS(
                  IFF(
                    (
                      "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                    ) <= 9e+18,
                    0.0,
                    "t1"."__relevance_number_1"
                  )
                )
              ) AS BIGINT)
            ) * 100
          ) AS BIGINT)
        ) >= 0.5,
        1,
        0
      ) AS DECIMAL(38, 0))
    ) * IFF(
      IFF(
        (
          "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
        ) <= 9e+18,
        0.0,
        "t1"."__relevance_number_1"
      ) < 0,
      -1,
      1
    ) * (
      (
        (
          CAST(CAST(FLOOR(
            ABS(
              IFF(
                (
                  "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                ) <= 9e+18,
                0.0,
                "t1"."__relevance_number_1"
              )
            )
          ) AS BIGINT) AS DECIMAL(38, 0)) * 100
        ) + CAST(CAST(FLOOR(
          (
            ABS(
              IFF(
                (
                  "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                ) <= 9e+18,
                0.0,
                "t1"."__relevance_number_1"
              )
            ) - CAST(FLOOR(
              ABS(
                IFF(
                  (
                    "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                  ) <= 9e+18,
                  0.0,
                  "t1"."__relevance_number_1"
                )
              )
            ) AS BIGINT)
          ) * 100
        ) AS BIGINT) + IFF(
          (
            (
              (
                ABS(
                  IFF(
                    (
                      "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                    ) <= 9e+18,
                    0.0,
                    "t1"."__relevance_number_1"
                  )
                ) - CAST(FLOOR(
                  ABS(
                    IFF(
                      (
                        "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                      ) <= 9e+18,
                      0.0,
                      "t1"."__relevance_number_1"
                    )
                  )
                ) AS BIGINT)
              ) * 100
            ) - CAST(FLOOR(
              (
                ABS(
                  IFF(
                    (
                      "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                    ) <= 9e+18,
                    0.0,
                    "t1"."__relevance_number_1"
                  )
                ) - CAST(FLOOR(
                  ABS(
                    IFF(
                      (
                        "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
                      ) <= 9e+18,
                      0.0,
                      "t1"."__relevance_number_1"
                    )
                  )
                ) AS BIGINT)
              ) * 100
            ) AS BIGINT)
          ) >= 0.5,
          1,
          0
        ) AS DECIMAL(38, 0))
      ) * IFF(
        IFF(
          (
            "t1"."__relevance_number_1" * "t1"."__relevance_number_1"
          ) <= 9e+18,
          0.0,
          "t1"."__relevance_number_1"
        ) < 0,
        -1,
        1
      )
    ) AS DECIMAL(38, 0)) AS "__relevance_square_units_1"
  FROM (
    SELECT
      "t0"."customer_id",
      "t0"."arm",
      "t0"."customer's lifecycle stage",
      "t0"."emails_prior_7d",
      "t0"."sent",
      "t0"."purchased",
      "t0"."revenue",
      "t0"."arm" AS "__relevance_key_0",
      COALESCE("t0"."customer's lifecycle stage", '(missing)') AS "__relevance_key_1",
      COALESCE(CAST("t0"."emails_prior_7d" AS VARCHAR), '(missing)') AS "__relevance_key_2",
      CASE
        WHEN COALESCE(
          REGEXP_LIKE(
            "t0"."purchased",
            CONCAT('.*', '^[ \t\r\n]*(?:[Tt][Rr][Uu][Ee]|[Tt])[ \t\r\n]*$', '.*'),
            'cs'
          ),
          FALSE
        )
        THEN 1.0
        WHEN COALESCE(
          REGEXP_LIKE(
            "t0"."purchased",
            CONCAT('.*', '^[ \t\r\n]*(?:[Ff][Aa][Ll][Ss][Ee]|[Ff])[ \t\r\n]*$', '.*'),
            'cs'
          ),
          FALSE
        )
        THEN 0.0
        ELSE CASE
          WHEN COALESCE(
            (
              LENGTH("t0"."purchased") <= 64
            )
            AND REGEXP_LIKE(
              "t0"."purchased",
              CONCAT('.*', '^[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]{1,2})?$', '.*'),
              'cs'
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
              CONCAT(
                '.*',
                '^[ \t\r\n]*[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                '.*'
              ),
              'cs'
            ),
            FALSE
          )
          THEN CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE)
          ELSE CAST(NULL AS DOUBLE)
        END
      END AS "__relevance_number_0",
      IFF(
        COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
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
) AS "t2"
GROUP BY
  1,
  2,
  3
