// Original file: protos/aurum/ml/v1/face_store.proto


export interface StoredFace {
  'face_id'?: (string);
  'image_sha256'?: (string);
  'face_index'?: (number);
  'quality'?: (number | string);
  'metadata'?: ({[key: string]: string});
  'enrolled_at'?: (number | string);
}

export interface StoredFace__Output {
  'face_id': (string);
  'image_sha256': (string);
  'face_index': (number);
  'quality': (number);
  'metadata': ({[key: string]: string});
  'enrolled_at': (number);
}
