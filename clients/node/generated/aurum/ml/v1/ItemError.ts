// Original file: protos/aurum/ml/v1/common.proto


export interface ItemError {
  'code'?: (string);
  'message'?: (string);
}

export interface ItemError__Output {
  'code': (string);
  'message': (string);
}
