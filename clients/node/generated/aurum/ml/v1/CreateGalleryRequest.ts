// Original file: protos/aurum/ml/v1/face_store.proto

import type { ModelInfo as _aurum_ml_v1_ModelInfo, ModelInfo__Output as _aurum_ml_v1_ModelInfo__Output } from '../../../aurum/ml/v1/ModelInfo';

export interface CreateGalleryRequest {
  'name'?: (string);
  'model'?: (_aurum_ml_v1_ModelInfo | null);
  'keep_face_crops'?: (boolean);
}

export interface CreateGalleryRequest__Output {
  'name': (string);
  'model': (_aurum_ml_v1_ModelInfo__Output | null);
  'keep_face_crops': (boolean);
}
