// Original file: protos/aurum/ml/v1/face_store.proto


export interface DeleteGalleryResponse {
  'deleted'?: (boolean);
}

export interface DeleteGalleryResponse__Output {
  'deleted': (boolean);
}
