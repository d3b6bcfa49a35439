// Original file: protos/aurum/ml/v1/common.proto

import type { BoundingBox as _aurum_ml_v1_BoundingBox, BoundingBox__Output as _aurum_ml_v1_BoundingBox__Output } from '../../../aurum/ml/v1/BoundingBox';
import type { Landmarks as _aurum_ml_v1_Landmarks, Landmarks__Output as _aurum_ml_v1_Landmarks__Output } from '../../../aurum/ml/v1/Landmarks';
import type { Point as _aurum_ml_v1_Point, Point__Output as _aurum_ml_v1_Point__Output } from '../../../aurum/ml/v1/Point';

export interface Face {
  'bbox'?: (_aurum_ml_v1_BoundingBox | null);
  'landmarks'?: (_aurum_ml_v1_Landmarks | null);
  'confidence'?: (number | string);
  'landmarks_106'?: (_aurum_ml_v1_Point)[];
}

export interface Face__Output {
  'bbox': (_aurum_ml_v1_BoundingBox__Output | null);
  'landmarks': (_aurum_ml_v1_Landmarks__Output | null);
  'confidence': (number);
  'landmarks_106': (_aurum_ml_v1_Point__Output)[];
}
