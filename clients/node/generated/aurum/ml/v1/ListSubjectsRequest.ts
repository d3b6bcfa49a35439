// Original file: protos/aurum/ml/v1/face_store.proto


export interface ListSubjectsRequest {
  'gallery'?: (string);
  'page_size'?: (number);
  'page_token'?: (string);
}

export interface ListSubjectsRequest__Output {
  'gallery': (string);
  'page_size': (number);
  'page_token': (string);
}
