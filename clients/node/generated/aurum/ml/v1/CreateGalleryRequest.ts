// Original file: protos/aurum/ml/v1/face_store.proto


export interface CreateGalleryRequest {
  'name'?: (string);
}

export interface CreateGalleryRequest__Output {
  'name': (string);
}
