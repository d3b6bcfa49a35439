// Original file: protos/aurum/ml/v1/face_store.proto

import type { StoredFace as _aurum_ml_v1_StoredFace, StoredFace__Output as _aurum_ml_v1_StoredFace__Output } from '../../../aurum/ml/v1/StoredFace';

export interface GetSubjectResponse {
  'subject_id'?: (string);
  'faces'?: (_aurum_ml_v1_StoredFace)[];
  'face_count'?: (number);
  'next_page_token'?: (string);
}

export interface GetSubjectResponse__Output {
  'subject_id': (string);
  'faces': (_aurum_ml_v1_StoredFace__Output)[];
  'face_count': (number);
  'next_page_token': (string);
}
