// Original file: protos/aurum/ml/v1/face_store.proto


export interface ListGalleriesRequest {
}

export interface ListGalleriesRequest__Output {
}
