// Original file: protos/aurum/ml/v1/face_store.proto


export interface DeleteGalleryRequest {
  'name'?: (string);
}

export interface DeleteGalleryRequest__Output {
  'name': (string);
}
