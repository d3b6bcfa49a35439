// Original file: protos/aurum/ml/v1/similarity.proto


export interface Embedding {
  'values'?: (number | string)[];
}

export interface Embedding__Output {
  'values': (number)[];
}
