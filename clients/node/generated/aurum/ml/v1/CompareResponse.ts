// Original file: protos/aurum/ml/v1/similarity.proto

import type { Metric as _aurum_ml_v1_Metric, Metric__Output as _aurum_ml_v1_Metric__Output } from '../../../aurum/ml/v1/Metric';

export interface CompareResponse {
  'score'?: (number | string);
  'is_match'?: (boolean);
  'threshold'?: (number | string);
  'metric'?: (_aurum_ml_v1_Metric);
}

export interface CompareResponse__Output {
  'score': (number);
  'is_match': (boolean);
  'threshold': (number);
  'metric': (_aurum_ml_v1_Metric__Output);
}
