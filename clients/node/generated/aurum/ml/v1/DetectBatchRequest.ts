// Original file: protos/aurum/ml/v1/detection.proto

import type { DetectRequest as _aurum_ml_v1_DetectRequest, DetectRequest__Output as _aurum_ml_v1_DetectRequest__Output } from '../../../aurum/ml/v1/DetectRequest';
import type { ModelSelector as _aurum_ml_v1_ModelSelector, ModelSelector__Output as _aurum_ml_v1_ModelSelector__Output } from '../../../aurum/ml/v1/ModelSelector';

export interface DetectBatchRequest {
  'requests'?: (_aurum_ml_v1_DetectRequest)[];
  'model'?: (_aurum_ml_v1_ModelSelector | null);
}

export interface DetectBatchRequest__Output {
  'requests': (_aurum_ml_v1_DetectRequest__Output)[];
  'model': (_aurum_ml_v1_ModelSelector__Output | null);
}
