// Original file: protos/aurum/ml/v1/face_store.proto

import type { Gallery as _aurum_ml_v1_Gallery, Gallery__Output as _aurum_ml_v1_Gallery__Output } from '../../../aurum/ml/v1/Gallery';

export interface ListGalleriesResponse {
  'galleries'?: (_aurum_ml_v1_Gallery)[];
}

export interface ListGalleriesResponse__Output {
  'galleries': (_aurum_ml_v1_Gallery__Output)[];
}
