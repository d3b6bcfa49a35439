// Original file: protos/aurum/ml/v1/similarity.proto

export const Metric = {
  METRIC_UNSPECIFIED: 'METRIC_UNSPECIFIED',
  METRIC_COSINE: 'METRIC_COSINE',
  METRIC_EUCLIDEAN: 'METRIC_EUCLIDEAN',
} as const;

export type Metric =
  | 'METRIC_UNSPECIFIED'
  | 0
  | 'METRIC_COSINE'
  | 1
  | 'METRIC_EUCLIDEAN'
  | 2

export type Metric__Output = typeof Metric[keyof typeof Metric]
