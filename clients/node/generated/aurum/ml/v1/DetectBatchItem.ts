// Original file: protos/aurum/ml/v1/detection.proto

import type { DetectResponse as _aurum_ml_v1_DetectResponse, DetectResponse__Output as _aurum_ml_v1_DetectResponse__Output } from '../../../aurum/ml/v1/DetectResponse';
import type { ItemError as _aurum_ml_v1_ItemError, ItemError__Output as _aurum_ml_v1_ItemError__Output } from '../../../aurum/ml/v1/ItemError';

export interface DetectBatchItem {
  'response'?: (_aurum_ml_v1_DetectResponse | null);
  'error'?: (_aurum_ml_v1_ItemError | null);
  'result'?: "response"|"error";
}

export interface DetectBatchItem__Output {
  'response'?: (_aurum_ml_v1_DetectResponse__Output | null);
  'error'?: (_aurum_ml_v1_ItemError__Output | null);
  'result'?: "response"|"error";
}
