// Original file: protos/aurum/ml/v1/similarity.proto

import type { Embedding as _aurum_ml_v1_Embedding, Embedding__Output as _aurum_ml_v1_Embedding__Output } from '../../../aurum/ml/v1/Embedding';
import type { Metric as _aurum_ml_v1_Metric, Metric__Output as _aurum_ml_v1_Metric__Output } from '../../../aurum/ml/v1/Metric';

export interface CompareManyRequest {
  'query'?: (number | string)[];
  'candidates'?: (_aurum_ml_v1_Embedding)[];
  'metric'?: (_aurum_ml_v1_Metric);
  'threshold'?: (number | string);
  'top_k'?: (number);
  '_threshold'?: "threshold";
}

export interface CompareManyRequest__Output {
  'query': (number)[];
  'candidates': (_aurum_ml_v1_Embedding__Output)[];
  'metric': (_aurum_ml_v1_Metric__Output);
  'threshold'?: (number);
  'top_k': (number);
  '_threshold'?: "threshold";
}
