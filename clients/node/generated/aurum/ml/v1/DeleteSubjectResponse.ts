// Original file: protos/aurum/ml/v1/face_store.proto


export interface DeleteSubjectResponse {
  'deleted_faces'?: (number);
}

export interface DeleteSubjectResponse__Output {
  'deleted_faces': (number);
}
