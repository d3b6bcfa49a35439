// Original file: protos/aurum/ml/v1/models.proto


export interface UnloadModelRequest {
  'role'?: (string);
  'version'?: (string);
}

export interface UnloadModelRequest__Output {
  'role': (string);
  'version': (string);
}
