// Original file: protos/aurum/ml/v1/common.proto


export interface ModelSelector {
  'name'?: (string);
  'version'?: (string);
  'routing_key'?: (string);
}

export interface ModelSelector__Output {
  'name': (string);
  'version': (string);
  'routing_key': (string);
}
