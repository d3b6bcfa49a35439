// Original file: protos/aurum/ml/v1/similarity.proto

import type { Metric as _aurum_ml_v1_Metric, Metric__Output as _aurum_ml_v1_Metric__Output } from '../../../aurum/ml/v1/Metric';

export interface CompareRequest {
  'embedding_a'?: (number | string)[];
  'embedding_b'?: (number | string)[];
  'metric'?: (_aurum_ml_v1_Metric);
  'threshold'?: (number | string);
  '_threshold'?: "threshold";
}

export interface CompareRequest__Output {
  'embedding_a': (number)[];
  'embedding_b': (number)[];
  'metric': (_aurum_ml_v1_Metric__Output);
  'threshold'?: (number);
  '_threshold'?: "threshold";
}
