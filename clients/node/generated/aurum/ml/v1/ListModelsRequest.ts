// Original file: protos/aurum/ml/v1/models.proto


export interface ListModelsRequest {
  'role'?: (string);
}

export interface ListModelsRequest__Output {
  'role': (string);
}
