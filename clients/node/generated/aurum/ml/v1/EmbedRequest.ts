// Original file: protos/aurum/ml/v1/embedding.proto

import type { Image as _aurum_ml_v1_Image, Image__Output as _aurum_ml_v1_Image__Output } from '../../../aurum/ml/v1/Image';
import type { Detector as _aurum_ml_v1_Detector, Detector__Output as _aurum_ml_v1_Detector__Output } from '../../../aurum/ml/v1/Detector';
import type { ModelSelector as _aurum_ml_v1_ModelSelector, ModelSelector__Output as _aurum_ml_v1_ModelSelector__Output } from '../../../aurum/ml/v1/ModelSelector';

export interface EmbedRequest {
  'image'?: (_aurum_ml_v1_Image | null);
  'aligned'?: (boolean);
  'detector'?: (_aurum_ml_v1_Detector);
  'model'?: (_aurum_ml_v1_ModelSelector | null);
}

export interface EmbedRequest__Output {
  'image': (_aurum_ml_v1_Image__Output | null);
  'aligned': (boolean);
  'detector': (_aurum_ml_v1_Detector__Output);
  'model': (_aurum_ml_v1_ModelSelector__Output | null);
}
