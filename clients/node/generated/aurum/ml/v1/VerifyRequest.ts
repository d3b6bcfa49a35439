// Original file: protos/aurum/ml/v1/face_store.proto

import type { Image as _aurum_ml_v1_Image, Image__Output as _aurum_ml_v1_Image__Output } from '../../../aurum/ml/v1/Image';
import type { Embedding as _aurum_ml_v1_Embedding, Embedding__Output as _aurum_ml_v1_Embedding__Output } from '../../../aurum/ml/v1/Embedding';
import type { Detector as _aurum_ml_v1_Detector, Detector__Output as _aurum_ml_v1_Detector__Output } from '../../../aurum/ml/v1/Detector';

export interface VerifyRequest {
  'gallery'?: (string);
  'subject_id'?: (string);
  'image'?: (_aurum_ml_v1_Image | null);
  'embedding'?: (_aurum_ml_v1_Embedding | null);
  'threshold'?: (number | string);
  'aligned'?: (boolean);
  'detector'?: (_aurum_ml_v1_Detector);
  'input'?: "image"|"embedding";
  '_threshold'?: "threshold";
}

export interface VerifyRequest__Output {
  'gallery': (string);
  'subject_id': (string);
  'image'?: (_aurum_ml_v1_Image__Output | null);
  'embedding'?: (_aurum_ml_v1_Embedding__Output | null);
  'threshold'?: (number);
  'aligned': (boolean);
  'detector': (_aurum_ml_v1_Detector__Output);
  'input'?: "image"|"embedding";
  '_threshold'?: "threshold";
}
