// Original file: protos/aurum/ml/v1/detection.proto

import type { DetectRequest as _aurum_ml_v1_DetectRequest, DetectRequest__Output as _aurum_ml_v1_DetectRequest__Output } from '../../../aurum/ml/v1/DetectRequest';

export interface DetectBatchRequest {
  'requests'?: (_aurum_ml_v1_DetectRequest)[];
}

export interface DetectBatchRequest__Output {
  'requests': (_aurum_ml_v1_DetectRequest__Output)[];
}
