// Original file: protos/aurum/ml/v1/models.proto


export interface SetTrafficSplitRequest {
  'role'?: (string);
  'weights'?: ({[key: string]: number | string});
}

export interface SetTrafficSplitRequest__Output {
  'role': (string);
  'weights': ({[key: string]: number});
}
