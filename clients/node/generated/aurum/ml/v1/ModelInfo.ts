// Original file: protos/aurum/ml/v1/common.proto


export interface ModelInfo {
  'name'?: (string);
  'version'?: (string);
  'execution_provider'?: (string);
}

export interface ModelInfo__Output {
  'name': (string);
  'version': (string);
  'execution_provider': (string);
}
