// Original file: protos/aurum/ml/v1/processing.proto

import type { NormalizeMode as _aurum_ml_v1_NormalizeMode, NormalizeMode__Output as _aurum_ml_v1_NormalizeMode__Output } from '../../../aurum/ml/v1/NormalizeMode';

export interface Normalize {
  'mode'?: (_aurum_ml_v1_NormalizeMode);
}

export interface Normalize__Output {
  'mode': (_aurum_ml_v1_NormalizeMode__Output);
}
