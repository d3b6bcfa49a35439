// Original file: protos/aurum/ml/v1/face_store.proto


export interface DeleteFaceResponse {
  'deleted'?: (boolean);
}

export interface DeleteFaceResponse__Output {
  'deleted': (boolean);
}
