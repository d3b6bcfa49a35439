// Original file: protos/aurum/ml/v1/models.proto


export interface TrafficSplit {
  'role'?: (string);
  'shares'?: ({[key: string]: number | string});
}

export interface TrafficSplit__Output {
  'role': (string);
  'shares': ({[key: string]: number});
}
