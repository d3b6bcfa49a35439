// Original file: protos/aurum/ml/v1/common.proto


export interface Image {
  'data'?: (Buffer | Uint8Array | string);
  'url'?: (string);
  'source'?: "data"|"url";
}

export interface Image__Output {
  'data'?: (Buffer);
  'url'?: (string);
  'source'?: "data"|"url";
}
