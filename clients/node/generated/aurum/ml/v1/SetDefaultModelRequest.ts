// Original file: protos/aurum/ml/v1/models.proto


export interface SetDefaultModelRequest {
  'role'?: (string);
  'version'?: (string);
}

export interface SetDefaultModelRequest__Output {
  'role': (string);
  'version': (string);
}
