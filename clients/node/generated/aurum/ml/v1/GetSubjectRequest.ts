// Original file: protos/aurum/ml/v1/face_store.proto


export interface GetSubjectRequest {
  'gallery'?: (string);
  'subject_id'?: (string);
  'page_size'?: (number);
  'page_token'?: (string);
}

export interface GetSubjectRequest__Output {
  'gallery': (string);
  'subject_id': (string);
  'page_size': (number);
  'page_token': (string);
}
