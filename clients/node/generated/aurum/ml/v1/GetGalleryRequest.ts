// Original file: protos/aurum/ml/v1/face_store.proto


export interface GetGalleryRequest {
  'name'?: (string);
}

export interface GetGalleryRequest__Output {
  'name': (string);
}
